metadata description = 'Service Bus namespace and the topic the app publishes incident lifecycle events to.'

@description('Name of the Service Bus namespace.')
param namespaceName string

@description('Name of the topic (IncidentEvents__Topic).')
param topicName string

@description('Region of the namespace.')
param location string

@description('Tags for the namespace.')
param tags { *: string }

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Topics need Standard or above.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Shared access keys and SAS tokens are refused: senders and receivers use Microsoft Entra identities.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // Activities run at least once, so an event may be sent twice. Duplicate detection can only be chosen when the
    // topic is created (FACTS), so it is on from the start: a publisher that sets MessageId to the event's id gets
    // each event delivered once within the window.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    enableBatchedOperations: true
  }
}

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Name of the topic.')
output topicName string = topic.name

@description('Host name of the namespace (IncidentEvents__FullyQualifiedNamespace).')
// serviceBusEndpoint is https://<host>:443/; the host differs between Azure clouds, so it is read, not spelled out.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
