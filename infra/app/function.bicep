metadata description = 'The function app on the Flex Consumption plan: runtime, identity-based settings, Key Vault references and App Service Authentication.'

@export()
@description('A monitoring source allowed to send alerts. Its secrets live in Key Vault; the app reads them through Key Vault references.')
type integration = {
  @description('The payload the source posts (Integrations__{name}__Format). Default: generic.')
  format: ('generic' | 'alertmanager' | 'grafana' | 'azuremonitor' | 'pagerduty')?

  @description('Names of the Key Vault secrets holding the source\'s secrets: one, or two during a rotation. Each must exist before it is listed here.')
  @minLength(1)
  @maxLength(2)
  secretNames: string[]

  @description('What the secrets are: shared secrets sent with each request (default; a pagerduty integration\'s routing keys), Standard Webhooks signing secrets (whsec_...), or Grafana HMAC signature secrets.')
  signature: ('none' | 'standardWebhooks' | 'grafanaHmac')?

  @description('For grafanaHmac: the timestamp header Grafana signs with the body (usually X-Grafana-Alerting-Timestamp).')
  hmacTimestampHeader: string?

  @description('Label names whose values join alerts into one incident (Integrations__{name}__GroupBy__{n}).')
  @maxLength(10)
  groupBy: string[]?
}

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app.')
param tags { *: string }

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account for AzureWebJobsStorage, the Durable task hub and the app\'s data.')
param storageAccountName string

@description('Blob endpoint of that account.')
param blobEndpoint string

@description('Container the deployment package goes to.')
param deploymentContainerName string

@description('The policy blob as container/name (Policy__Blob).')
param policyBlob string

@description('Application Insights component.')
param applicationInsightsName string

@description('URI of the Key Vault.')
param keyVaultUri string

@description('Name of the secret holding the link-signing key.')
param linkSigningKeySecretName string

@description('Name of the secret holding the previous link-signing key, accepted while linkSigningKeyRotating is true.')
param previousLinkSigningKeySecretName string

@description('True during a key rotation: links signed with the previous key are still accepted.')
param linkSigningKeyRotating bool

@description('Communication Services endpoint.')
param emailEndpoint string

@description('Sender address.')
param emailSenderAddress string

@description('Sender display name.')
param senderDisplayName string

@description('Service Bus namespace host name.')
param serviceBusFullyQualifiedNamespace string

@description('Topic for lifecycle events.')
param topicName string

@description('Client id of the Microsoft Entra app registration that signs people in. Empty: no provider, every protected route answers 401.')
param authClientId string

@description('The monitoring sources allowed to send alerts, by integration name.')
param integrations { *: integration }

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('The app role of a signed-in user without one (Access__DefaultRole).')
param defaultAppRole string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

func keyVaultReference(vaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName})'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

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

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
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
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    // Key Vault references resolve with the same identity as everything else (the app has no system identity).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        // The app targets net10.0 (Directory.Build.props) on the isolated worker.
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Deployments (azd, az functionapp deploy) authenticate with Microsoft Entra ID; user/password publishing is off for
// both FTP and the SCM site.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

var appSettings = {
  // Identity-based host storage: the Functions host, the Durable task hub and the app's own clients
  // (StorageConnection) all read these.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  Email__Transport: 'Acs'
  Email__Acs__Endpoint: emailEndpoint
  Email__Acs__ManagedIdentityClientId: identityClientId
  Email__From: emailSenderAddress
  Email__FromName: senderDisplayName

  Links__BaseUrl: 'https://${site.properties.defaultHostName}'
  Links__SigningKey: keyVaultReference(keyVaultUri, linkSigningKeySecretName)

  Policy__Blob: policyBlob

  // The app believes X-MS-CLIENT-PRINCIPAL only when told that App Service Authentication (authsettingsV2 below, always
  // on) wrote it, having stripped any copy the caller sent; the app refuses to start in Azure without this setting.
  Authentication__EasyAuthEnabled: 'true'

  // Entra app roles (viewer, responder, commander, admin) come in the principal's role claims; a user with none gets this.
  Access__DefaultRole: defaultAppRole

  IncidentEvents__FullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  IncidentEvents__Topic: topicName
  IncidentEvents__ManagedIdentityClientId: identityClientId
  IncidentEvents__Enabled: 'true'

  // The history housekeeping timer's schedule (NCRONTAB, seconds first): the Functions host reads it for the trigger
  // and runs no housekeeping without it. Every hour at minute 7, as the dev host does by default.
  Housekeeping__Schedule: '0 7 * * * *'
}

var rotationSettings = linkSigningKeyRotating
  ? { Links__PreviousSigningKey: keyVaultReference(keyVaultUri, previousLinkSigningKeySecretName) }
  : {}

// Sign-in without a client secret: App Service Authentication presents a token of the app's managed identity, which
// the app registration trusts through a federated identity credential (docs/deploy.md).
var authSettings = empty(authClientId)
  ? {}
  : {
      OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId
      WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenant().tenantId
    }

// Integrations__{name}__Format, its secrets (Secrets, WebhookSecrets or HmacSecrets __{n}, each a Key Vault reference),
// HmacTimestampHeader and GroupBy__{n}. Declared here rather than added by hand, because this template owns the whole
// set of app settings and a redeployment replaces it.
var integrationSettings = reduce(
  items(integrations),
  {},
  (settings, source) =>
    union(
      settings,
      { 'Integrations__${source.key}__Format': source.value.?format ?? 'generic' },
      toObject(
        range(0, length(source.value.secretNames)),
        n =>
          'Integrations__${source.key}__${source.value.?signature == 'standardWebhooks' ? 'WebhookSecrets' : (source.value.?signature == 'grafanaHmac' ? 'HmacSecrets' : 'Secrets')}__${n}',
        n => keyVaultReference(keyVaultUri, source.value.secretNames[n])
      ),
      empty(source.value.?hmacTimestampHeader ?? '')
        ? {}
        : { 'Integrations__${source.key}__HmacTimestampHeader': source.value.?hmacTimestampHeader },
      toObject(
        range(0, length(source.value.?groupBy ?? [])),
        n => 'Integrations__${source.key}__GroupBy__${n}',
        n => (source.value.?groupBy ?? [])[n]
      )
    )
)

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, rotationSettings, authSettings, integrationSettings)
}

// What App Service Authentication does with a request that is not signed in. With an app registration: a browser is
// sent to Entra ID's sign-in and back to the page it asked for (the web console), while a client that is not a
// browser gets 401 (App Service decides which, not the app), and a client sending a bearer token is never redirected.
// Without an app registration there is nowhere to send a browser, so everything unauthenticated gets 401.
var unauthenticated = empty(authClientId)
  ? { unauthenticatedClientAction: 'Return401' }
  : { unauthenticatedClientAction: 'RedirectToLoginPage', redirectToProvider: 'azureactivedirectory' }

// App Service Authentication in front of everything except the two kinds of route that carry their own credentials:
// monitoring webhooks (integration secret or signature) and the emailed acknowledge/resolve links (signed token);
// the app still checks those itself, and the read and act API relies on the principal this layer supplies. And the
// API's OpenAPI document, public by decision: webhook senders need it too, and it holds nothing but what the code says.
// And the console's stylesheet and scripts: the emailed links' pages, reached without a sign-in, share the stylesheet.
resource authentication 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: union(unauthenticated, {
      requireAuthentication: true
      excludedPaths: [
        '/api/alerts/*'
        '/api/v2/enqueue'
        '/api/respond/*'
        '/api/openapi.json'
        '/api/console/assets/*'
      ]
    })
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    identityProviders: empty(authClientId)
      ? {}
      : {
          azureActiveDirectory: {
            enabled: true
            registration: {
              clientId: authClientId
              clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
              openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
            }
            validation: {
              allowedAudiences: [
                'api://${authClientId}'
                authClientId
              ]
            }
          }
        }
  }
  dependsOn: [
    settings
  ]
}

@description('Name of the function app.')
output name string = site.name

@description('Default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName
