# Import-Module cost: 'pwsh -NoProfile -c Import-Module DockOpt' vs 'pwsh -NoProfile -c 1' (target: median ratio <= 1.4).
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Runs = 11)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchHelpers.psm1') -Force
$p = Get-PwshInvocation
$exe = $p[0]; $pre = @($p | Select-Object -Skip 1)
Measure-SideBySide -Name 'Import-Module DockOpt (new pwsh process)' -PeerName 'pwsh -c 1' -Runs $Runs `
    -DockOpt { & $exe @pre -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'" } `
    -Peer { & $exe @pre -NoProfile -NonInteractive -Command '1' } | Format-List
