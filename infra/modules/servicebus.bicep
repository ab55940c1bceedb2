param name string
param location string
param tags object
param queueName string = 'chain-events'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    minimumTlsVersion: '1.2'
    // Identity-based access only (ServiceBusConnection__fullyQualifiedNamespace + managed identity).
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    // After 10 failed deliveries the message is dead-lettered (the handler answered non-2xx 10 times). Only failures that
    // count answer non-2xx: a transient one schedules a delayed copy (a new message id) and completes the original.
    maxDeliveryCount: 10
    // The admin routes list and replay the dead-letter sub-queue (GET/POST /api/admin/dead-letters).
    deadLetteringOnMessageExpiration: true
    // The webhook sets MessageId to the natural key, so a Coinbase retry inside the window is dropped here.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    enablePartitioning: false
    requiresSession: false
  }
}

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueName string = queue.name
