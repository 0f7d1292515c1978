# DockOpt.<version>.nupkg from a built module folder, as the PowerShell Gallery and any NuGet or file repository take it
# (Publish-PSResource -NupkgPath, then Install-PSResource DockOpt). Microsoft.PowerShell.PSResourceGet ships with pwsh 7.4+.
function New-DockOptPackage {
    param(
        [Parameter(Mandatory)] [string] $ModulePath,    # the built module folder (named DockOpt)
        [Parameter(Mandatory)] [string] $Destination    # folder the .nupkg goes to
    )
    $version = (Import-PowerShellDataFile (Join-Path $ModulePath 'DockOpt.psd1')).ModuleVersion
    $stage = Join-Path $Destination "package-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
    New-Item -ItemType Directory -Path $stage | Out-Null
    try {
        Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
        Compress-PSResource -Path $ModulePath -DestinationPath $stage
        $nupkg = Get-ChildItem $stage -Filter "DockOpt.$version.nupkg"
        if (-not $nupkg) { throw "Compress-PSResource made no DockOpt.$version.nupkg in $stage." }
        $target = Join-Path $Destination $nupkg.Name
        Move-Item -Force $nupkg.FullName $target
        return Get-Item $target
    }
    finally { Remove-Item -Recurse -Force $stage -ErrorAction Ignore }
}
