// Echain backend on Azure: Functions (Flex Consumption, custom handler) + Service Bus + SignalR Service
// + Redis + PostgreSQL + Key Vault + monitoring, with one user-assigned identity for all data-plane access.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Environment name (azd AZURE_ENV_NAME); seeds the resource token and the resource group name.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption, PostgreSQL Flexible Server and Azure Cache for Redis.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or reuse; default rg-<environmentName>.')
param resourceGroupName string = ''

@secure()
@description('SignalR Service upstream for OnConnected (SIGNALR_UPSTREAM_URL_TEMPLATE, written by scripts/configure-signalr-upstream.sh); empty on the first provision.')
param signalRUpstreamUrlTemplate string = ''

@description('SignalR Service SKU. Free_F1 allows 20 connections; Standard_S1 1,000 per unit (README, "Capacity").')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param signalRSku string = 'Standard_S1'

@description('SignalR Service units (Standard/Premium): 1,000 concurrent connections and 1,000,000 included messages a day each. Free_F1 takes 1.')
@allowed([
  1
  2
  3
  4
  5
  6
  7
  8
  9
  10
  20
  30
  40
  50
  60
  70
  80
  90
  100
])
param signalRUnits int = 1

@description('Azure Cache for Redis SKU name, family and capacity (Basic C0 by default).')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param redisSkuName string = 'Basic'
param redisSkuFamily string = 'C'
param redisSkuCapacity int = 0

@description('PostgreSQL administrator login.')
param postgresAdministratorLogin string = 'echainadmin'

@secure()
@description('PostgreSQL administrator password (stored only in Key Vault as part of the connection string).')
param postgresAdministratorPassword string

@secure()
@description('Coinbase CDP webhook subscription secret; empty to set it in Key Vault after provisioning.')
param coinbaseWebhookSecret string = ''

@secure()
@description('Echain session-token signing key; empty to set it in Key Vault after provisioning.')
param authSigningKey string = ''

@description('Echain ticket (ERC-721) contract address on Base.')
param ticketContractAddress string = ''

@description('Payment token (ERC-20, e.g. USDC) contract address on Base.')
param paymentTokenAddress string = ''

@secure()
@description('JSON-RPC URL of a node for the chain (usually carries a provider key, so it is stored only in Key Vault). Empty: GET /api/chain answers rpc.ok=false until Echain__Chain__RpcUrls__0 is set.')
param chainRpcUrl string = ''

@description('CDP network name of the chain the contracts live on (Echain__Chain__Network).')
param chainNetwork string = 'base-sepolia'

@description('Origins (https://app.example: no path, no *) of the browser apps: the Function App CORS with credentials, Echain__Cors__AllowedOrigins__0..n, and SignalR Service CORS (* when empty).')
param corsAllowedOrigins array = []

@description('Public origin ticket metadata names in image and external_url (a custom domain in front of the app); empty: the Function App\'s own host name.')
param metadataPublicBaseUrl string = ''

@description('Flex Consumption scale-out ceiling.')
param maximumInstanceCount int = 40

@description('Action group (resource id) the alert rules notify; empty: the rules are created and fire in Azure Monitor, notifying no one.')
param alertActionGroupId string = ''

// Alert thresholds: each default is the threshold of its figure in Echain.Core/Telemetry/Kpis.cs (the tests compare them).
@description('Alert when the mean webhook processing time (received to answered) over 5 minutes exceeds this many ms.')
param alertWebhookProcessingTimeMs int = 500

@description('Alert when SignalR Service holds more concurrent connections than this (scale up).')
param alertRealtimeConnections int = 10000

@description('Alert when the cache hit rate over 15 minutes falls below this percentage.')
param alertCacheHitRatePercent int = 90

@description('Alert when a read route\'s mean response time over 5 minutes exceeds this many ms.')
param alertQueryResponseTimeMs int = 100

@description('Alert when more than this percentage of webhook requests over 5 minutes are not accepted.')
param alertWebhookFailureRatePercent int = 1

@description('Alert when the chain-events dead-letter sub-queue holds more than this many messages.')
param alertDeadLetters int = 0

@description('Alert when the projection is more than this many seconds behind the chain.')
param alertProjectorLagSeconds int = 5

@description('Alert when no webhook was accepted for this many minutes while the reconciler healed logs from the chain.')
@allowed([
  5
  10
  15
  30
  45
  60
])
param alertWebhooksSilentMinutes int = 15

@description('Alert when CDP sent more than this many health updates in 5 minutes with a status outside alertCdpHealthyStatuses.')
param alertCdpUnhealthyUpdates int = 0

@description('CDP health statuses that are not an alert (compared case-insensitively).')
param alertCdpHealthyStatuses array = [
  'healthy'
]

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  app: 'echain'
}
var functionAppName = 'func-echain-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-echain-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-echain-${resourceToken}'
    applicationInsightsName: 'appi-echain-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'stechain${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: 'sb-echain-${resourceToken}'
    location: location
    tags: tags
    queueName: 'chain-events'
  }
}

module signalR 'modules/signalr.bicep' = {
  name: 'signalr'
  scope: rg
  params: {
    name: 'sigr-echain-${resourceToken}'
    location: location
    tags: tags
    skuName: signalRSku
    capacity: signalRSku == 'Free_F1' ? 1 : signalRUnits
    upstreamUrlTemplate: signalRUpstreamUrlTemplate
    allowedOrigins: empty(corsAllowedOrigins) ? [
      '*'
    ] : corsAllowedOrigins
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  scope: rg
  params: {
    name: 'redis-echain-${resourceToken}'
    location: location
    tags: tags
    skuName: redisSkuName
    skuFamily: redisSkuFamily
    skuCapacity: redisSkuCapacity
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: 'psql-echain-${resourceToken}'
    location: location
    tags: tags
    administratorLogin: postgresAdministratorLogin
    administratorPassword: postgresAdministratorPassword
    databaseName: 'echain'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-echain-${take(resourceToken, 13)}'
    location: location
    tags: tags
    redisName: redis.outputs.name
    postgresFqdn: postgres.outputs.fqdn
    postgresDatabase: postgres.outputs.databaseName
    postgresAdministratorLogin: postgresAdministratorLogin
    postgresAdministratorPassword: postgresAdministratorPassword
    coinbaseWebhookSecret: coinbaseWebhookSecret
    authSigningKey: authSigningKey
    chainRpcUrl: chainRpcUrl
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    signalRName: signalR.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    signalRId: signalR.outputs.id
    serviceBusNamespaceId: serviceBus.outputs.id
    queueName: 'chain-events'
    actionGroupId: alertActionGroupId
    webhookProcessingTimeMs: alertWebhookProcessingTimeMs
    realtimeConnections: alertRealtimeConnections
    cacheHitRatePercent: alertCacheHitRatePercent
    queryResponseTimeMs: alertQueryResponseTimeMs
    webhookFailureRatePercent: alertWebhookFailureRatePercent
    deadLetters: alertDeadLetters
    projectorLagSeconds: alertProjectorLagSeconds
    webhooksSilentMinutes: alertWebhooksSilentMinutes
    cdpUnhealthyUpdates: alertCdpUnhealthyUpdates
    cdpHealthyStatuses: alertCdpHealthyStatuses
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  dependsOn: [
    // Key Vault references and identity-based connections resolve only after the roles exist.
    roles
  ]
  params: {
    name: functionAppName
    planName: 'plan-echain-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    signalRHostName: signalR.outputs.hostName
    coinbaseSecretUri: keyVault.outputs.coinbaseSecretUri
    authSigningKeyUri: keyVault.outputs.authSigningKeyUri
    postgresSecretUri: keyVault.outputs.postgresSecretUri
    redisSecretUri: keyVault.outputs.redisSecretUri
    ticketContract: ticketContractAddress
    paymentToken: paymentTokenAddress
    chainRpcUrlUri: empty(chainRpcUrl) ? '' : keyVault.outputs.chainRpcUrlUri
    chainNetwork: chainNetwork
    corsAllowedOrigins: corsAllowedOrigins
    metadataPublicBaseUrl: metadataPublicBaseUrl
    maximumInstanceCount: maximumInstanceCount
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = functionApp.outputs.name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output WEBHOOK_URL string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/coinbase'
output NEGOTIATE_URL string = 'https://${functionApp.outputs.defaultHostName}/api/negotiate'
output KEY_VAULT_NAME string = keyVault.outputs.name
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output SIGNALR_HOSTNAME string = signalR.outputs.hostName
output SIGNALR_NAME string = signalR.outputs.name
