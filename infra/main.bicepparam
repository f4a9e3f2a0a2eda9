using './main.bicep'

// azd sets AZURE_ENV_NAME, AZURE_PRINCIPAL_ID and, after the first provision, every output of main.bicep as an
// environment value; `azd env set NAME value` sets the others. With `az deployment group create`, export the same
// names in your shell, or pass --parameters name=value after this file.

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'incidents')

// The person running `azd up` may upload the policy and set Key Vault secrets afterwards.
param operatorPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param operatorPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

param linkSigningKeyExists = bool(readEnvironmentVariable('LINK_SIGNING_KEY_EXISTS', 'false'))
param linkSigningKeyRotating = bool(readEnvironmentVariable('LINK_SIGNING_KEY_ROTATING', 'false'))

param authClientId = readEnvironmentVariable('AUTH_CLIENT_ID', '')

param senderDisplayName = readEnvironmentVariable('EMAIL_SENDER_DISPLAY_NAME', 'IncidentFunctions')
param emailCustomDomain = readEnvironmentVariable('EMAIL_CUSTOM_DOMAIN', '')
param emailCustomDomainVerified = bool(readEnvironmentVariable('EMAIL_CUSTOM_DOMAIN_VERIFIED', 'false'))

// The monitoring sources that may send alerts, as JSON (docs/deploy.md), for example
//   azd env set INTEGRATIONS '{"prometheus":{"format":"alertmanager","secretNames":["integration-prometheus"]}}'
// Each secret name must already exist in Key Vault: an unresolved Key Vault reference reaches the app as its own text.
param integrations = json(readEnvironmentVariable('INTEGRATIONS', '{}'))
