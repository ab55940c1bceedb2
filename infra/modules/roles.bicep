// Every role the Function App's single user-assigned identity needs, each on the narrowest scope.
param principalId string
param storageAccountName string
param serviceBusNamespaceName string
param signalRName string
param keyVaultName string
param applicationInsightsName string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2552ae39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  signalRAppServer: '420fcaa2-552c-430f-98ca-3264be4806c7'
  signalRRestApiOwner: 'fd53cd77-2268-407a-8f46-7e7863d0f521'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' existing = {
  name: signalRName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Storage: Blob Data Owner for the host (keys, leases) and the Flex deployment container;
// Queue and Table Data Contributor for host features that use them (diagnostic events, blob-trigger receipts).
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

// Service Bus, namespace scope. Data Sender: CoinbaseWebhook's output, and the handler's own client scheduling retry
// copies and sending replays. Data Receiver: ProcessChainEvent's trigger, and the admin routes peeking and receiving the
// dead-letter sub-queue of chain-events.
var serviceBusRoles = [
  roles.serviceBusDataSender
  roles.serviceBusDataReceiver
]

resource serviceBusAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in serviceBusRoles: {
    name: guid(serviceBus.id, principalId, roleId)
    scope: serviceBus
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

// SignalR: App Server (the extension's trigger and output bindings fetch access keys) and REST API Owner (output
// bindings send through the REST API; negotiate's :generateToken needs its auth/clientToken/action).
// Together they are narrower than "SignalR Service Owner", which the bindings docs name as the simple choice.
var signalRRoles = [
  roles.signalRAppServer
  roles.signalRRestApiOwner
]

resource signalRAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in signalRRoles: {
    name: guid(signalR.id, principalId, roleId)
    scope: signalR
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

// Key Vault: read secret values for the @Microsoft.KeyVault(...) app-setting references.
resource keyVaultAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// Application Insights with local auth disabled: telemetry is sent with an Entra token.
resource appInsightsAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}
