param name string
param location string
param tags object

@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param skuName string = 'Standard_S1'

@description('Units: 1,000 concurrent connections and 1,000,000 included messages a day each on Standard (Free_F1: 1 unit, 20 connections).')
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
param capacity int = 1

@description('Origins allowed to open the SignalR client connection (the Echain frontend).')
param allowedOrigins array = [
  '*'
]

@secure()
@description('URL SignalR Service calls for the OnConnected function: https://<function app host>/runtime/webhooks/signalr?code=<signalr_extension system key>. Empty: no upstream (set by scripts/configure-signalr-upstream.sh after the first deploy, when the key exists).')
param upstreamUrlTemplate string = ''

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: skuName
    capacity: capacity
  }
  properties: {
    features: [
      {
        // Output bindings and the client tokens negotiate asks for need a service without a hub server: Serverless mode.
        flag: 'ServiceMode'
        value: 'Serverless'
      }
      {
        flag: 'EnableConnectivityLogs'
        value: 'True'
      }
    ]
    cors: {
      allowedOrigins: allowedOrigins
    }
    // Serverless upstream: "connected" events of hub echain go to the function app, whose OnConnected sends each
    // connection the proof its group joins need. Kept in the template so a re-provision does not drop it.
    upstream: {
      templates: empty(upstreamUrlTemplate) ? [] : [
        {
          urlTemplate: upstreamUrlTemplate
          hubPattern: 'echain'
          categoryPattern: 'connections'
          eventPattern: 'connected'
        }
      ]
    }
    // Access keys stay enabled: client access tokens are signed with them (the Functions extension
    // obtains them through the identity); the app itself never holds a key.
    disableLocalAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }
}

output id string = signalR.id
output name string = signalR.name
output hostName string = signalR.properties.hostName
