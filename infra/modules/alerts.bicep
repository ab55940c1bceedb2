// Alert rules for the figures Echain is paged on (Echain.Core/Telemetry/Kpis.cs: one rule per entry, named echain-<Kpi id>).
// Log rules read the custom metrics the handler sends through the Azure Monitor OpenTelemetry exporter to Application
// Insights (table customMetrics: name = the instrument, tags in customDimensions; a counter's row is the delta of one
// export interval in valueSum, a histogram's row carries valueSum/valueCount/valueMax of its interval, a gauge's row its
// last value). The connection count and the dead letters are platform metrics of SignalR Service and Service Bus,
// which see every instance (the handler's own figures are per instance).
param location string
param tags object

@description('Application Insights the handler sends its metrics to (log rules run on its customMetrics).')
param applicationInsightsId string

@description('SignalR Service whose ConnectionCount is the realtime connections figure on Azure.')
param signalRId string

@description('Service Bus namespace holding the queue whose dead letters are alerted on.')
param serviceBusNamespaceId string

@description('Queue whose dead-letter sub-queue is watched.')
param queueName string

@description('Action group (resource id) every rule notifies; empty: the rules fire (portal, Azure Monitor alerts) and notify no one.')
param actionGroupId string

param webhookProcessingTimeMs int
param realtimeConnections int
param cacheHitRatePercent int
param queryResponseTimeMs int
param webhookFailureRatePercent int
param deadLetters int
param projectorLagSeconds int
param webhooksSilentMinutes int
param cdpUnhealthyUpdates int
param cdpHealthyStatuses array

var actionGroups = empty(actionGroupId) ? [] : [
  actionGroupId
]

// Each log rule: a query over its window that yields the figure in one column (per dimension where it has one).
var every5Minutes = 'PT5M'
var kql = {
  // Mean of the window: the exporter sends sum and count per interval, not buckets, so no percentile exists here.
  webhookProcessingTime: 'customMetrics | where name == "echain.webhook.duration" | summarize total = sum(valueSum), deliveries = sum(valueCount) | where deliveries > 0 | project meanMs = total / deliveries'
  cacheHitRate: 'customMetrics | where name == "echain.cache.reads" | summarize hits = sumif(valueSum, tostring(customDimensions.result) == "hit"), reads = sum(valueSum) | where reads > 0 | project hitRatePercent = 100.0 * hits / reads'
  queryResponseTime: 'customMetrics | where name == "echain.read.duration" | extend route = tostring(customDimensions.route) | summarize total = sum(valueSum), answers = sum(valueCount) by route | where answers > 0 | project route, meanMs = total / answers'
  webhookFailureRate: 'customMetrics | where name == "echain.webhooks.received" | summarize failed = sumif(valueSum, tostring(customDimensions.outcome) != "accepted"), received = sum(valueSum) | where received > 0 | project failureRatePercent = 100.0 * failed / received'
  // Last value per instance; the worst instance counts.
  projectorLag: 'customMetrics | where name == "echain.projector.lag" | summarize lagSeconds = max(value)'
  // Fires only when webhooks were silent for the whole window while the reconciler found final logs no webhook brought.
  webhooksSilent: 'customMetrics | where name in ("echain.webhooks.received", "echain.reconcile.healed", "echain.reconcile.queued") | summarize accepted = sumif(valueSum, name == "echain.webhooks.received" and tostring(customDimensions.outcome) == "accepted"), healed = sumif(valueSum, name == "echain.reconcile.healed" or (name == "echain.reconcile.queued" and tostring(customDimensions.reason) == "heal")) | where accepted == 0 | project healed'
  cdpUnhealthy: 'customMetrics | where name == "echain.cdp.health_updates" | extend status = tostring(customDimensions.status) | where not(status in~ (${join(map(cdpHealthyStatuses, s => '"${s}"'), ', ')})) | summarize updates = sum(valueSum) by status'
}

var logRules = [
  {
    id: 'webhook-processing-time'
    description: 'Mean webhook processing time (received to answered) above the threshold: check PostgreSQL/Redis latency and the queue.'
    severity: 2
    window: every5Minutes
    query: kql.webhookProcessingTime
    measure: 'meanMs'
    operator: 'GreaterThan'
    threshold: webhookProcessingTimeMs
    dimensions: []
  }
  {
    id: 'cache-hit-rate'
    description: 'Cache hit rate (hit / hit + miss + fallback) below the threshold: fallbacks mean Redis is down; misses, keys invalidated too often.'
    severity: 3
    window: 'PT15M'
    query: kql.cacheHitRate
    measure: 'hitRatePercent'
    operator: 'LessThan'
    threshold: cacheHitRatePercent
    dimensions: []
  }
  {
    id: 'query-response-time'
    description: 'Mean response time of a read route above the threshold: look at that route\'s queries and indexes.'
    severity: 3
    window: every5Minutes
    query: kql.queryResponseTime
    measure: 'meanMs'
    operator: 'GreaterThan'
    threshold: queryResponseTimeMs
    dimensions: [
      {
        name: 'route'
        operator: 'Include'
        values: [
          '*'
        ]
      }
    ]
  }
  {
    id: 'webhook-failure-rate'
    description: 'Share of webhook requests not accepted above the threshold: unauthorized means a secret mismatch, queue-unavailable means Service Bus.'
    severity: 2
    window: every5Minutes
    query: kql.webhookFailureRate
    measure: 'failureRatePercent'
    operator: 'GreaterThan'
    threshold: webhookFailureRatePercent
    dimensions: []
  }
  {
    id: 'projector-lag'
    description: 'Projection behind the chain by more than the threshold: check the queue backlog and PostgreSQL.'
    severity: 2
    window: every5Minutes
    query: kql.projectorLag
    measure: 'lagSeconds'
    operator: 'GreaterThan'
    threshold: projectorLagSeconds
    dimensions: []
  }
  {
    id: 'webhooks-silent'
    description: 'No webhook accepted for the whole window while the reconciler healed logs from the chain: check the CDP subscription.'
    severity: 2
    window: 'PT${webhooksSilentMinutes}M'
    query: kql.webhooksSilent
    measure: 'healed'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: []
  }
  {
    id: 'cdp-unhealthy'
    description: 'CDP reported a health status other than healthy: check CDP\'s status page; webhooks may be late (the reconciler heals them).'
    severity: 2
    window: every5Minutes
    query: kql.cdpUnhealthy
    measure: 'updates'
    operator: 'GreaterThan'
    threshold: cdpUnhealthyUpdates
    dimensions: [
      {
        name: 'status'
        operator: 'Include'
        values: [
          '*'
        ]
      }
    ]
  }
]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in logRules: {
    name: 'echain-${rule.id}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'echain-${rule.id}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: every5Minutes
      windowSize: rule.window
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: rule.measure
            operator: rule.operator
            threshold: rule.threshold
            dimensions: rule.dimensions
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: actionGroups
      }
    }
  }
]

var metricActions = [
  for id in actionGroups: {
    actionGroupId: id
  }
]

// Every connection of every instance lives in SignalR Service: its own count is the figure (Maximum over the window).
resource realtimeConnectionsAlert 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'echain-realtime-connections'
  location: 'global'
  tags: tags
  properties: {
    description: 'Concurrent realtime connections above the threshold: scale SignalR Service up (signalRUnits, 1,000 connections per Standard unit).'
    severity: 2
    enabled: true
    scopes: [
      signalRId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'connections'
          metricNamespace: 'Microsoft.SignalRService/SignalR'
          metricName: 'ConnectionCount'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: realtimeConnections
        }
      ]
    }
    actions: metricActions
  }
}

// Service Bus counts its own dead letters (the handler's echain.events.dead_lettered is the standalone host's).
resource deadLettersAlert 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'echain-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message reached the dead-letter sub-queue of ${queueName}: GET /api/admin/dead-letters for the reason, fix, then POST /api/admin/dead-letters/replay.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLetters'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                queueName
              ]
            }
          ]
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: deadLetters
        }
      ]
    }
    actions: metricActions
  }
}

output ruleNames array = concat(map(logRules, r => 'echain-${r.id}'), [
  realtimeConnectionsAlert.name
  deadLettersAlert.name
])
