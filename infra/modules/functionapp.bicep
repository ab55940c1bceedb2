param name string
param planName string
param location string
param tags object

@description('azd finds the deploy target by this tag.')
param serviceName string = 'api'

param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param serviceBusFullyQualifiedNamespace string
param signalRHostName string
param coinbaseSecretUri string
param authSigningKeyUri string
param postgresSecretUri string
param redisSecretUri string
param ticketContract string
param paymentToken string

@description('Key Vault URI of the chain node URL; empty: no Echain__Chain__RpcUrls__0 setting (an unresolved reference is not a URL and would stop the start-up).')
param chainRpcUrlUri string = ''

param chainNetwork string = 'base-sepolia'
@description('Origins of the browser apps (https://app.example): the platform answers their CORS with credentials on every route, and the app gets the same list as Echain__Cors__AllowedOrigins__0..n.')
param corsAllowedOrigins array = []
@description('Public origin the ticket metadata names in image and external_url (https://api.example); empty: the Function App\'s own https://{defaultHostName}.')
param metadataPublicBaseUrl string = ''

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption takes the worker runtime from functionAppConfig.runtime; set true only if a platform needs the FUNCTIONS_WORKER_RUNTIME app setting as well.')
param setWorkerRuntimeAppSetting bool = false

@description('Accept legacy X-Coinbase-Signature webhooks (HMAC of the body). Off unless you still run v1 webhooks.')
param allowLegacySignature bool = false

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var kvRef = '@Microsoft.KeyVault(SecretUri={0})'

var baseSettings = {
  // Host storage through the managed identity (no account key exists).
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // Service Bus trigger and output binding: identity-based connection "ServiceBusConnection"; the handler's own client
  // (retry copies, dead-letter admin) reads the same three settings.
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId

  // SignalR bindings: identity-based connection string (no access key in the setting).
  AzureSignalRConnectionString: 'Endpoint=https://${signalRHostName};AuthType=azure.msi;ClientId=${identityClientId};Version=1.0;'

  // Secrets resolved by the platform from Key Vault with keyVaultReferenceIdentity.
  Coinbase__WebhookSecrets__0: format(kvRef, coinbaseSecretUri)
  ConnectionStrings__Postgres: format(kvRef, postgresSecretUri)
  ConnectionStrings__Redis: format(kvRef, redisSecretUri)
  Echain__Auth__SigningKey: format(kvRef, authSigningKeyUri)
  Coinbase__AllowLegacySignature: allowLegacySignature ? 'true' : 'false'

  Echain__TicketContracts__0: ticketContract
  Echain__PaymentTokens__0: paymentToken
  Echain__Chain__Network: chainNetwork
}

var chainRpcSetting = empty(chainRpcUrlUri)
  ? {}
  : {
      Echain__Chain__RpcUrls__0: format(kvRef, chainRpcUrlUri)
    }

// One parameter for both: the platform's CORS (siteConfig.cors) answers browsers, and the app sees the same origins
// (it validates them at start-up and adds no CORS header of its own under the Functions host: the platform's wins).
var corsSettings = toObject(range(0, length(corsAllowedOrigins)), i => 'Echain__Cors__AllowedOrigins__${i}', i => string(corsAllowedOrigins[i]))

// The handler sees forwarded requests from the local host process, so its own request URL is no public address.
var metadataSettings = {
  Echain__Metadata__PublicBaseUrl: empty(metadataPublicBaseUrl) ? 'https://${site.properties.defaultHostName}' : metadataPublicBaseUrl
}

var workerRuntimeSetting = setWorkerRuntimeAppSetting
  ? {
      FUNCTIONS_WORKER_RUNTIME: 'custom'
    }
  : {}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        // Custom handler: the package carries its own self-contained linux-x64 executable.
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Platform CORS applies to every route and takes precedence over the app's; credentials: the SignalR client sends them.
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: true
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(baseSettings, chainRpcSetting, corsSettings, metadataSettings, workerRuntimeSetting)
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
