# The examples' image-test specs: the multi-stage images pass them; the single-stage ones fail the non-root check.
# (The demo itself, build.ps1 Demo, is tests/Demo.Tests.ps1.)
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:modulePath = Get-DockOptTestModulePath
    Import-Module $script:modulePath -Force
    $script:examples = Join-Path $PSScriptRoot '../examples'
    # Bootstrap's local bases stand in for the public ones (offline machines).
    function script:Base([string] $Public, [string] $Local) { (Get-DockOptImage -Name $Public -ErrorAction SilentlyContinue) ? $Public : $Local }
    $buildArgs = @{
        'flask-api'  = @{ BASE_IMAGE = (Base 'python:3.11' 'dockopt/python:3.11'); RUNTIME_IMAGE = (Base 'python:3.11-slim' 'dockopt/python:3.11-slim') }
        'go-service' = @{ BASE_IMAGE = (Base 'golang:1.22-bookworm' 'dockopt/golang:bookworm') }
    }
    foreach ($name in $buildArgs.Keys) {
        foreach ($variant in 'single-stage', 'multi-stage') {
            $file = Join-Path $script:examples "$name/Dockerfile.$variant"
            $text = Get-Content -Raw $file
            $ba = @{}
            foreach ($k in $buildArgs[$name].Keys) { if ($text -match "(?m)^\s*ARG\s+$k\b") { $ba[$k] = $buildArgs[$name][$k] } }
            $null = Invoke-DockOptBuild -Path (Join-Path $script:examples $name) -Dockerfile $file -Tag "dockopt-examples/$($name):$variant" -BuildArg $ba
        }
    }
}

Describe 'Example image specs' -Tag 'RequiresDocker', 'Examples' {
    It '<Name>: the multi-stage image passes its spec' -ForEach @(
        @{ Name = 'flask-api' }
        @{ Name = 'go-service' }
    ) {
        $results = @(Test-DockOptImage "dockopt-examples/$($Name):multi-stage" -SpecPath (Join-Path $script:examples "$Name/image-test.yaml"))
        $results.Count | Should -BeGreaterThan 5
        $bad = @($results | Where-Object Outcome -NE 'Passed')
        $bad | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Outcome) $($_.Message)" } | Should -BeNullOrEmpty
        @($results.Category | Sort-Object -Unique) | Should -Contain 'Shutdown'
    }

    It '<Name>: the single-stage image fails the non-root check' -ForEach @(
        @{ Name = 'flask-api' }
        @{ Name = 'go-service' }
    ) {
        $results = @(Test-DockOptImage "dockopt-examples/$($Name):single-stage" -SpecPath (Join-Path $script:examples "$Name/image-test.yaml"))
        $nonRoot = @($results | Where-Object { $_.Category -eq 'Metadata' -and $_.Name -match 'root' })
        $nonRoot.Count | Should -BeGreaterThan 0
        $nonRoot[0].Outcome | Should -Be 'Failed'
    }
}
