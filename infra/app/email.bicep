metadata description = 'Azure Communication Services with an Email Communication Service: an Azure-managed domain always, and optionally a domain of your own once it is verified.'

@description('Name of the Communication Services resource.')
param communicationServiceName string

@description('Name of the Email Communication Service.')
param emailServiceName string

@description('Where email data is stored at rest (a geography, not a region).')
param dataLocation string

@description('Tags for the resources.')
param tags { *: string }

@description('A domain you own to send from, such as alerts.example.com. Empty: only the Azure-managed domain.')
param customDomain string

@description('True once the custom domain\'s DNS records are verified; only then is it linked and used as the sender.')
param customDomainVerified bool

var useCustomDomain = !empty(customDomain) && customDomainVerified

resource emailService 'Microsoft.Communication/emailServices@2026-03-18' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

// Sends from DoNotReply@<guid>.azurecomm.net with no DNS work, at low quotas (FACTS: 5/min, 10/hour) that suit a
// trial; production paging wants the custom domain.
resource managedDomain 'Microsoft.Communication/emailServices/domains@2026-03-18' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    // No tracking pixels or rewritten links in paging emails: the links are the recipient's signed actions.
    userEngagementTracking: 'Disabled'
  }
}

// Created as soon as it is named, so its DNS records can be read and verified; ACS refuses to link a domain before
// that, hence the second switch.
resource ownDomain 'Microsoft.Communication/emailServices/domains@2026-03-18' = if (!empty(customDomain)) {
  parent: emailService
  // A resource needs a valid name even where its condition leaves it out.
  name: empty(customDomain) ? 'unused' : customDomain
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2026-03-18' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: useCustomDomain ? [managedDomain.id, ownDomain.id] : [managedDomain.id]
    // The resource's access keys are refused; the app authenticates with its managed identity.
    disableLocalAuth: true
  }
}

@description('Name of the Communication Services resource.')
output communicationServiceName string = communicationService.name

@description('The endpoint the app posts emails to (Email__Acs__Endpoint).')
output endpoint string = 'https://${communicationService.properties.hostName}'

@description('The sender address (Email__From).')
output senderAddress string = useCustomDomain
  ? 'DoNotReply@${customDomain}'
  : 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
