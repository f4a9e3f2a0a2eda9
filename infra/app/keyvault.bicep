metadata description = 'Key Vault (RBAC, soft delete, purge protection) holding the link-signing key and, added after deployment, the integration secrets.'

@description('Name of the vault.')
param name string

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags { *: string }

@description('Name of the secret holding the link-signing key.')
param linkSigningKeySecretName string

@description('The link-signing key to store; written only when createLinkSigningKey is true.')
@secure()
param linkSigningKey string

@description('Write linkSigningKey into the vault. False on redeployments, so the key in use is left alone.')
param createLinkSigningKey bool

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access is by Azure role assignments only (no access policies), so the vault's permissions are visible and
    // reviewable in the same place as every other permission in this deployment.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // Flex Consumption resolves Key Vault references over the public endpoint; a network-restricted vault would
    // need virtual network integration, which this deployment does not set up.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource linkSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (createLinkSigningKey) {
  parent: vault
  name: linkSigningKeySecretName
  properties: {
    value: linkSigningKey
    contentType: 'base64; HMAC-SHA256 key for emailed acknowledge/resolve links (Links__SigningKey)'
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('The vault\'s URI, for Key Vault references.')
output uri string = vault.properties.vaultUri
