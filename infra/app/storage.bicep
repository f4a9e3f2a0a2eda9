metadata description = 'The storage account: Functions host and Durable task hub state, the app\'s tables, queues and containers, and the deployment package. Identity-based access only.'

@description('Name of the storage account.')
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags { *: string }

@description('Container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Container holding the policy file (Policy__Blob points into it).')
param policyContainerName string

@description('Days before a parked alert batch in the alert-payloads container is deleted.')
@minValue(8)
@maxValue(365)
param alertPayloadRetentionDays int

// These names are the app's own (src/IncidentFunctions/Names.cs, StorageBootstrap); a test checks they match. The app
// also creates them on start, but creating them here means a first start does not depend on that.
var tables = [
  'incidents'
  'incidentindex'
  'alertkeys'
  'timeline'
  'requests'
  'tasks'
]
var queues = [
  'alerts'
  'alerts-poison'
]
var alertPayloadsContainer = 'alert-payloads'
var containers = [
  alertPayloadsContainer
  // The raw JSON of alerts too large for their table row: evidence, kept as long as the incidents (no lifecycle rule).
  'alert-evidence'
  // Files responders attach to incidents as evidence, with their SHA-256 on the timeline; kept as long as the incidents.
  'evidence'
  policyContainerName
  deploymentContainerName
]

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // No keys: every client (the Functions host, Durable Functions, the app, the deployment) signs in with the
    // user-assigned identity, so there is no connection string to leak.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: account
  name: 'default'
  properties: {
    // A policy file overwritten by mistake can be recovered for a week.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-06-01' = {
  parent: account
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' = [
  for queue in queues: {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: account
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

// The app parks alert batches too large for a queue message in alert-payloads and never deletes them: the message may
// be retried or, from the poison queue, replayed. Queue messages live at most 7 days, so a batch older than that is
// no longer referenced by anything.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2026-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-parked-alert-batches'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${alertPayloadsContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: alertPayloadRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

@description('Name of the storage account.')
output name string = account.name

@description('Blob endpoint, for the deployment container URL.')
output blobEndpoint string = account.properties.primaryEndpoints.blob
