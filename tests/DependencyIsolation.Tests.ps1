# DockOpt loads Docker.DotNet (and every other third-party DLL) into a private AssemblyLoadContext. Prove it by
# loading ANOTHER version of the same assembly name (Docker.DotNet 3.125.15, with its own Newtonsoft.Json
# dependency) into the session's default context, before and after importing DockOpt, in fresh pwsh processes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:modulePath = Get-DockOptTestModulePath
    $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:otherDocker = Join-Path $nuget 'docker.dotnet/3.125.15/lib/netstandard2.1/Docker.DotNet.dll'
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:pwshArgs = @()
    if (-not (Test-Path $script:pwsh)) { $script:pwsh = [Environment]::ProcessPath; $script:pwshArgs = @(Join-Path $PSHOME 'pwsh.dll') }

    function Invoke-Child([string] $Script) {
        $out = & $script:pwsh @script:pwshArgs -NoProfile -NonInteractive -Command $Script 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String) }
    }
}

Describe 'Dependency isolation' -Tag 'RequiresDocker' {
    It 'the other version of Docker.DotNet was restored for this test' {
        Test-Path $otherDocker | Should -BeTrue -Because 'build/tools.proj downloads Docker.DotNet 3.125.15'
    }

    It 'works when another Docker.DotNet version is loaded first' {
        $r = Invoke-Child @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$otherDocker'
# The other version's own code works: ping the engine through its API.
`$cfg = [Docker.DotNet.DockerClientConfiguration]::new([uri]'unix:///var/run/docker.sock')
`$client = `$cfg.CreateClient()
`$client.System.PingAsync().GetAwaiter().GetResult()
`$v = `$client.System.GetVersionAsync().GetAwaiter().GetResult()
"OTHER-VERSION=" + [Docker.DotNet.DockerClient].Assembly.GetName().Version + " API=" + `$v.APIVersion
Import-Module '$modulePath'
`$img = Get-DockOptImage -Name 'dockopt/busybox:latest'
"DOCKOPT=" + `$img.Id
# DockOpt's own copy lives in its private context, the session still sees the other one.
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'DockOpt.Dependencies'
"DOCKOPT-DOCKER=" + (`$alc.Assemblies | Where-Object { `$_.GetName().Name -eq 'Docker.DotNet' }).GetName().Version
"DEFAULT-DOCKER=" + [Docker.DotNet.DockerClient].Assembly.GetName().Version
"@
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'OTHER-VERSION=3\.125\.'
        $r.Output | Should -Match 'API=1\.\d+'
        $r.Output | Should -Match "DOCKOPT=sha256:[0-9a-f]{64}"
        $r.Output | Should -Match 'DOCKOPT-DOCKER=4\.'
        $r.Output | Should -Match 'DEFAULT-DOCKER=3\.125\.'
    }

    It 'works when DockOpt is imported first and the other version is loaded afterwards' {
        $r = Invoke-Child @"
`$ErrorActionPreference = 'Stop'
Import-Module '$modulePath'
`$null = Get-DockOptImage -Name 'dockopt/busybox:latest'
Add-Type -Path '$otherDocker'
`$client = [Docker.DotNet.DockerClientConfiguration]::new([uri]'unix:///var/run/docker.sock').CreateClient()
`$images = `$client.Images.ListImagesAsync([Docker.DotNet.Models.ImagesListParameters]::new()).GetAwaiter().GetResult()
"OTHER-COUNT=" + `$images.Count
"DOCKOPT-COUNT=" + @(Get-DockOptImage).Count
"@
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $other = [int]([regex]::Match($r.Output, 'OTHER-COUNT=(\d+)').Groups[1].Value)
        $mine = [int]([regex]::Match($r.Output, 'DOCKOPT-COUNT=(\d+)').Groups[1].Value)
        $other | Should -BeGreaterThan 0
        $mine | Should -Be $other
    }

    It 'keeps third-party DLLs out of the module root and the default load context' {
        $root = Split-Path $modulePath
        @(Get-ChildItem $root -Filter *.dll).Name | Sort-Object | Should -Be @('DockOpt.Cmdlets.dll', 'DockOpt.Contracts.dll')
        Test-Path (Join-Path $root 'Dependencies/Docker.DotNet.dll') | Should -BeTrue
        $r = Invoke-Child @"
Import-Module '$modulePath'
`$null = Get-DockOptImage -Name 'dockopt/busybox:latest'
[System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { `$_.GetName().Name -like 'Docker.DotNet*' -or `$_.GetName().Name -eq 'DockOpt.Engine' } | ForEach-Object { 'LEAK=' + `$_.GetName().Name }
'TYPE=' + ([DockOpt.ImageInfo].FullName)
"@
        $r.Output | Should -Not -Match 'LEAK='
        $r.Output | Should -Match 'TYPE=DockOpt.ImageInfo'
    }
}
