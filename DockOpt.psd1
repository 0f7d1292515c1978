@{
    RootModule           = 'DockOpt.Cmdlets.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5f0d5d4e-6a53-4b3e-9a2c-0d0c7f1b2e61'
    Author               = 'DockOpt contributors'
    CompanyName          = 'DockOpt'
    Copyright            = '(c) DockOpt contributors. MIT License.'
    Description          = 'Build, measure, lint, test, scan and publish Docker images from PowerShell, with typed objects for every result.'
    PowerShellVersion    = '7.4'
    RequiredAssemblies   = @('DockOpt.Contracts.dll')
    NestedModules        = @('DockOpt.psm1')
    FormatsToProcess     = @(
        'DockOpt.Format.ps1xml'
        'formats/Build.Format.ps1xml'
        'formats/Analysis.Format.ps1xml'
        'formats/Lint.Format.ps1xml'
        'formats/Testing.Format.ps1xml'
        'formats/Security.Format.ps1xml'
        'formats/Registry.Format.ps1xml'
        'formats/Compare.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'Get-DockOptImage'
        'Invoke-DockOptBuild'
        'Compare-DockOptImage'
        'Get-DockOptHistory'
        'Measure-DockOptImage'
        'Test-DockOptDockerfile'
        'Test-DockOptImage'
        'Invoke-DockOptScan'
        'Get-DockOptPackage'
        'Update-DockOptVulnerabilityDatabase'
        'Publish-DockOptImage'
        'Copy-DockOptImage'
        'Export-DockOptReport'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Docker', 'Containers', 'Dockerfile', 'ECR', 'CI', 'DevOps', 'Lint', 'Security', 'SBOM', 'GitHubActions', 'AzurePipelines',
                'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/dockopt/dockopt'
            LicenseUri   = 'https://github.com/dockopt/dockopt/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0
- Build, compare, measure, lint, test, scan and publish Docker images with typed objects.
- Export-DockOptReport: one self-contained HTML report with charts (or Markdown) of any DockOpt results and history.
- CI-native output in GitHub Actions (step summary, annotations, log groups, outputs, masks) and Azure Pipelines
  (logissue, uploadsummary, setvariable, setsecret); opt out with DOCKOPT_CI=off.
- Installable with Install-PSResource DockOpt (PowerShell 7.4+, Core edition).
'@
        }
    }
}
