metadata description = 'The user-assigned identity the function app uses for every data-plane call.'

@description('Name of the identity.')
param name string

@description('Region of the identity.')
param location string

@description('Tags for the identity.')
param tags { *: string }

// User-assigned rather than system-assigned: it exists before the app does, so its role assignments are in place when
// the app first starts, and it can be named in app settings (AzureWebJobsStorage__clientId and the other client ids).
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client (application) id, for the app settings that pick this identity.')
output clientId string = identity.properties.clientId

@description('Object id of the identity\'s service principal, for role assignments.')
output principalId string = identity.properties.principalId
