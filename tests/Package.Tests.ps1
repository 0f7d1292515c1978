# The module as PowerShell users install it: build/Package.ps1 (what ./build.ps1 Package runs) makes DockOpt.<version>.nupkg,
# Publish-PSResource puts it into a local file repository, Install-PSResource and Save-PSResource take it from there into
# fresh module paths, and a child pwsh imports it by name. The child runs with its own HOME, so the repository
# registration and the CurrentUser install never touch this machine's PowerShell settings.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    . (Join-Path $PSScriptRoot '../build/Package.ps1')
    $script:moduleDir = Split-Path (Resolve-Path (Get-DockOptTestModulePath)).Path
    $script:manifest = Import-PowerShellDataFile (Join-Path $script:moduleDir 'DockOpt.psd1')
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "h9-pkg-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    New-Item -ItemType Directory -Path $script:work, "$($script:work)/home", "$($script:work)/repo", "$($script:work)/saved", "$($script:work)/home2" | Out-Null
    $script:nupkg = New-DockOptPackage -ModulePath $script:moduleDir -Destination $script:work

    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh'); $script:pwshArgs = @()
    if (-not (Test-Path $script:pwsh)) { $script:pwsh = [Environment]::ProcessPath; $script:pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }
    function Invoke-Child([string] $Script, [hashtable] $Environment = @{}) {
        $vars = @{ HOME = "$($script:work)/home"; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = $null }
        foreach ($k in $Environment.Keys) { $vars[$k] = $Environment[$k] }
        $saved = @{}
        foreach ($k in $vars.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $vars[$k]) }
        # In the work folder: NuGet writes a NuGet/NuGet.Config into the current folder when HOME has none.
        Push-Location $script:work
        try {
            $out = & $script:pwsh @script:pwshArgs -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; $Script" 2>&1
            [pscustomobject]@{ Output = @($out | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
        }
        finally { Pop-Location; foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
    }
}

AfterAll { Remove-Item -Recurse -Force $script:work -ErrorAction Ignore }

Describe 'DockOpt.<version>.nupkg' {
    It 'is named after the manifest version and holds the whole module (shim, engine in Dependencies, help, formats)' {
        $script:nupkg.Name | Should -Be "DockOpt.$($script:manifest.ModuleVersion).nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:nupkg.FullName)
        try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
        foreach ($f in 'DockOpt.psd1', 'DockOpt.psm1', 'DockOpt.Cmdlets.dll', 'DockOpt.Contracts.dll', 'Dependencies/DockOpt.Engine.dll',
            'Dependencies/Docker.DotNet.dll', 'en-US/DockOpt.Cmdlets.dll-Help.xml', 'formats/Build.Format.ps1xml', 'DockOpt.nuspec') {
            $entries | Should -Contain $f
        }
    }

    It 'carries the gallery metadata in its nuspec' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:nupkg.FullName)
        try { $r = [IO.StreamReader]::new($zip.GetEntry('DockOpt.nuspec').Open()); [xml]$nuspec = $r.ReadToEnd(); $r.Dispose() } finally { $zip.Dispose() }
        $m = $nuspec.package.metadata
        $m.id | Should -Be 'DockOpt'
        $m.version | Should -Be $script:manifest.ModuleVersion
        $m.projectUrl | Should -Be $script:manifest.PrivateData.PSData.ProjectUri
        $m.licenseUrl | Should -Be $script:manifest.PrivateData.PSData.LicenseUri
        $m.releaseNotes | Should -Match 'Export-DockOptReport'
        $m.tags -split ' ' | Should -Contain 'PSEdition_Core'
        $m.tags -split ' ' | Should -Contain 'PSModule'
    }

    It 'the manifest is complete for the PowerShell Gallery' {
        $script:manifest.CompatiblePSEditions | Should -Be @('Core')
        $script:manifest.PowerShellVersion | Should -Be '7.4'
        foreach ($k in 'Tags', 'ProjectUri', 'LicenseUri', 'ReleaseNotes') { $script:manifest.PrivateData.PSData[$k] | Should -Not -BeNullOrEmpty }
        $script:manifest.Description | Should -Not -BeNullOrEmpty
        $script:manifest.Author | Should -Not -BeNullOrEmpty
        $script:manifest.CmdletsToExport | Should -Contain 'Export-DockOptReport'
    }

    It 'Publish-PSResource accepts it, Install-PSResource DockOpt installs it, and a new pwsh imports DockOpt by name' {
        $repo = "$($script:work)/repo"
        $r = Invoke-Child @"
Register-PSResourceRepository -Name DockOptLocal -Uri '$repo' -Trusted
Publish-PSResource -NupkgPath '$($script:nupkg.FullName)' -Repository DockOptLocal
(Find-PSResource -Name DockOpt -Repository DockOptLocal).Version.ToString()
Install-PSResource -Name DockOpt -Repository DockOptLocal -Scope CurrentUser -TrustRepository
(Get-InstalledPSResource -Name DockOpt).InstalledLocation
"@
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Contain $script:manifest.ModuleVersion
        Test-Path (Join-Path $repo $script:nupkg.Name) | Should -BeTrue
        $installed = Join-Path $script:work "home/.local/share/powershell/Modules/DockOpt/$($script:manifest.ModuleVersion)"
        if ($IsWindows) { $installed = Join-Path $script:work "home/Documents/PowerShell/Modules/DockOpt/$($script:manifest.ModuleVersion)" }
        Test-Path (Join-Path $installed 'Dependencies/DockOpt.Engine.dll') | Should -BeTrue

        # Imported by name from the CurrentUser module path; a cmdlet that needs the engine runs.
        $i = Invoke-Child @'
Import-Module DockOpt
(Get-Module DockOpt).ModuleBase
(Get-Command -Module DockOpt).Count
[DockOpt.ImageComparison]@{ ReferenceImage = 'a:1'; DifferenceImage = 'a:2'; ReferenceSize = 1000; DifferenceSize = 400 } | Export-DockOptReport -Format Markdown
'@
        $i.ExitCode | Should -Be 0 -Because ($i.Output -join "`n")
        $i.Output[0] | Should -Be (Resolve-Path $installed).Path
        [int]$i.Output[1] | Should -Be $script:manifest.CmdletsToExport.Count
        ($i.Output -join "`n") | Should -Match '\*\*60 %\*\*'
    }

    It 'Save-PSResource saves it into a fresh module path that Import-Module finds by name' {
        $saved = "$($script:work)/saved"
        $r = Invoke-Child @"
Register-PSResourceRepository -Name DockOptSave -Uri '$($script:work)/repo' -Trusted -ErrorAction SilentlyContinue
if (-not (Test-Path '$($script:work)/repo/$($script:nupkg.Name)')) { Publish-PSResource -NupkgPath '$($script:nupkg.FullName)' -Repository DockOptSave }
Save-PSResource -Name DockOpt -Repository DockOptSave -Path '$saved' -TrustRepository
"@ @{ HOME = "$($script:work)/home2" }
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $i = Invoke-Child "Import-Module DockOpt; (Get-Module DockOpt).ModuleBase; (Get-Command Export-DockOptReport).Source" @{ PSModulePath = $saved; HOME = "$($script:work)/home2" }
        $i.ExitCode | Should -Be 0 -Because ($i.Output -join "`n")
        $i.Output[0] | Should -BeLike "$((Resolve-Path $saved).Path)*DockOpt*"
        $i.Output[1] | Should -Be 'DockOpt'
    }
}
