# Shared helpers for the Pester suites. Tests run in a fresh pwsh against the built module (DOCKOPT_TEST_MODULE).

function Get-DockOptTestModulePath {
    if ($env:DOCKOPT_TEST_MODULE) { return $env:DOCKOPT_TEST_MODULE }
    return (Join-Path $PSScriptRoot '../out/DockOpt/DockOpt.psd1')
}

function Test-DockerEngine {
    $null = & docker version --format '{{.Server.APIVersion}}' 2>$null
    return $LASTEXITCODE -eq 0
}

# A unique, lower-case name for images a test creates.
function New-TestImageName([string] $Prefix = 'dockopt-test') {
    return "$Prefix-$([guid]::NewGuid().ToString('n').Substring(0, 10))"
}

# Builds an image with the docker CLI (classic builder) from Dockerfile text; returns the tag.
function New-TestImage {
    param([Parameter(Mandatory)] [string] $Dockerfile, [string] $Tag, [hashtable] $Files = @{})
    if (-not $Tag) { $Tag = (New-TestImageName) + ':test' }
    $dir = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        Set-Content -Path (Join-Path $dir 'Dockerfile') -Value $Dockerfile -NoNewline
        foreach ($k in $Files.Keys) {
            $p = Join-Path $dir $k
            New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null
            Set-Content -Path $p -Value $Files[$k] -NoNewline
        }
        $env:DOCKER_BUILDKIT = '0'
        $out = & docker build -q -t $Tag $dir 2>&1
        if ($LASTEXITCODE -ne 0) { throw "docker build failed: $out" }
        return $Tag
    }
    finally { Remove-Item -Recurse -Force $dir }
}

function Remove-TestImage([string[]] $Name) {
    foreach ($n in $Name) { if ($n) { & docker image rm -f $n *> $null } }
}

Export-ModuleMember -Function *
