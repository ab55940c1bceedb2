param name string
param location string
param tags object
param redisName string
param postgresFqdn string
param postgresDatabase string
param postgresAdministratorLogin string

@secure()
param postgresAdministratorPassword string

@secure()
@description('Coinbase CDP webhook secret. Empty: no secret version is written here; set it later with az keyvault secret set.')
param coinbaseWebhookSecret string

@secure()
@description('Key that signs and verifies Echain session tokens (Echain__Auth__SigningKey). Empty: set it later in Key Vault.')
param authSigningKey string

@secure()
@description('JSON-RPC URL of a chain node (Echain__Chain__RpcUrls__0), often with a provider key. Empty: no secret is written.')
param chainRpcUrl string

var coinbaseSecretName = 'coinbase-webhook-secret'
var authSigningKeyName = 'auth-signing-key'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource redis 'Microsoft.Cache/redis@2024-11-01' existing = {
  name: redisName
}

resource coinbaseSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(coinbaseWebhookSecret)) {
  parent: vault
  name: coinbaseSecretName
  properties: {
    value: coinbaseWebhookSecret
    contentType: 'text/plain'
  }
}

resource authKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(authSigningKey)) {
  parent: vault
  name: authSigningKeyName
  properties: {
    value: authSigningKey
    contentType: 'text/plain'
  }
}

resource chainRpcUrlSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(chainRpcUrl)) {
  parent: vault
  name: 'chain-rpc-url'
  properties: {
    value: chainRpcUrl
    contentType: 'text/plain'
  }
}

resource postgresSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'postgres-connection-string'
  properties: {
    // Npgsql keyword syntax.
    value: 'Host=${postgresFqdn};Port=5432;Database=${postgresDatabase};Username=${postgresAdministratorLogin};Password=${postgresAdministratorPassword};SSL Mode=Require'
    contentType: 'text/plain'
  }
}

resource redisSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'redis-connection-string'
  properties: {
    // StackExchange.Redis configuration string (TLS port only).
    value: '${redis.properties.hostName}:${redis.properties.sslPort},password=${redis.listKeys().primaryKey},ssl=True,abortConnect=False'
    contentType: 'text/plain'
  }
}

output id string = vault.id
output name string = vault.name
output vaultUri string = vault.properties.vaultUri
// Versionless URIs: a new secret version is picked up when the app's Key Vault references refresh.
output coinbaseSecretUri string = '${vault.properties.vaultUri}secrets/${coinbaseSecretName}'
output authSigningKeyUri string = '${vault.properties.vaultUri}secrets/${authSigningKeyName}'
output chainRpcUrlUri string = '${vault.properties.vaultUri}secrets/chain-rpc-url'
output postgresSecretUri string = postgresSecret.properties.secretUri
output redisSecretUri string = redisSecret.properties.secretUri
