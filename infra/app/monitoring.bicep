metadata description = 'Log Analytics and workspace-based Application Insights that accepts only Microsoft Entra-authenticated telemetry.'

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Region of both resources.')
param location string

@description('Tags for both resources.')
param tags { *: string }

@description('Days the workspace keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      // Queries and ingestion go through Microsoft Entra ID only; the workspace's shared keys are refused.
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Telemetry must carry an Entra token (the app sends one with APPLICATIONINSIGHTS_AUTHENTICATION_STRING), so the
    // instrumentation key in the connection string is an address, not a credential.
    DisableLocalAuth: true
  }
}

@description('Name of the Application Insights component.')
output applicationInsightsName string = applicationInsights.name
