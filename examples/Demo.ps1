# The main job on the bundled examples. Until the build workflow lands, it imports the module and lists the
# local images (the bootstrap's base images among them) with their exact sizes.
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Get-DockOptImage | Sort-Object Size -Descending | Format-Table -AutoSize
