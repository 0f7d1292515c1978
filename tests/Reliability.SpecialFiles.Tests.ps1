# Issue 18 item 4: a FIFO (named pipe) given to any file reader fails at once with FileNotRegular instead of blocking
# open(2) for ever. Every case runs in ONE child pwsh that reports each case as it finishes; the child is killed after a
# timeout, so a reader that hangs fails its test (its line never comes) instead of hanging the suite.
BeforeDiscovery {
    $noFifo = $IsWindows -or -not (Get-Command mkfifo -ErrorAction SilentlyContinue)
    $cases = @(
        @{ Case = 'lint-config-option'; What = 'a lint configuration given with -ConfigPath' }
        @{ Case = 'lint-config-discovered'; What = 'a .hadolint.yaml found beside the Dockerfile' }
        @{ Case = 'test-spec-yaml'; What = 'an image-test spec (YAML) given with -SpecPath' }
        @{ Case = 'test-spec-psd1'; What = 'an image-test spec (.psd1) given with -SpecPath' }
        @{ Case = 'test-spec-envfile'; What = 'an env file named by an image-test spec' }
        @{ Case = 'sbom'; What = 'an SBOM given to Invoke-DockOptScan -Sbom' }
        @{ Case = 'vulndb-file'; What = 'a vulnerability database file (.json)' }
        @{ Case = 'vulndb-zip'; What = 'a vulnerability database zip' }
        @{ Case = 'vulndb-folder'; What = 'a FIFO inside a vulnerability database folder' }
        @{ Case = 'ignore-file'; What = 'an ignore file given with -IgnoreFile' }
        @{ Case = 'trivy-report'; What = 'a Trivy report given with -TrivyReport' }
        @{ Case = 'history'; What = 'a history file given to Get-DockOptHistory' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:results = @{}
    $script:childOutput = ''
    if ($IsWindows -or -not (Get-Command mkfifo -ErrorAction SilentlyContinue)) { return }
    $d = Join-Path $TestDrive 'special'
    New-Item -ItemType Directory -Force -Path $d, (Join-Path $d 'lint'), (Join-Path $d 'db') | Out-Null
    $fifo = { param($name) $p = Join-Path $d $name; & mkfifo $p; $p }
    $f = @{
        Config = & $fifo 'config.yaml'; Spec = & $fifo 'spec.yaml'; Psd1 = & $fifo 'spec.psd1'; Env = & $fifo 'vars.env'
        Sbom = & $fifo 'sbom.json'; DbFile = & $fifo 'records.json'; DbZip = & $fifo 'all.zip'; DbInFolder = & $fifo 'db/GHSA-fifo.json'
        Ignore = & $fifo '.trivyignore'; Trivy = & $fifo 'trivy.json'; History = & $fifo 'history.jsonl'
        Hadolint = & $fifo 'lint/.hadolint.yaml'
    }
    $df = Join-Path $d 'Dockerfile'
    Set-Content $df "FROM alpine:3.19`nRUN echo hi`n"
    Set-Content (Join-Path $d 'lint/Dockerfile') "FROM alpine:3.19`nRUN echo hi`n"
    Set-Content (Join-Path $d 'envspec.yaml') "runtime:`n  envFiles: ['$($f.Env)']`n"
    $sbom = Join-Path $d 'good.cdx.json'
    @{ bomFormat = 'CycloneDX'; specVersion = '1.5'; components = @(@{ type = 'library'; name = 'zlib'; version = '1.2.13-r0'; purl = 'pkg:apk/alpine/zlib@1.2.13-r0?distro=3.18.0' }) } |
        ConvertTo-Json -Depth 5 | Set-Content $sbom
    $goodDb = Join-Path $d 'gooddb'
    New-Item -ItemType Directory -Force -Path $goodDb | Out-Null
    '{"id":"DOCKOPT-F-1","modified":"2024-01-01T00:00:00Z","affected":[]}' | Set-Content (Join-Path $goodDb 'DOCKOPT-F-1.json')

    # Each case: a script block run in the child; the child prints "case|ErrorId|seconds" as soon as it returns.
    $caseScript = @{
        'lint-config-option'     = "Test-DockOptDockerfile -Path '$df' -ConfigPath '$($f.Config)'"
        'lint-config-discovered' = "Test-DockOptDockerfile -Path '$(Join-Path $d 'lint/Dockerfile')'"
        'test-spec-yaml'         = "Test-DockOptImage -Image 'dockopt-f-none:absent' -SpecPath '$($f.Spec)'"
        'test-spec-psd1'         = "Test-DockOptImage -Image 'dockopt-f-none:absent' -SpecPath '$($f.Psd1)'"
        'test-spec-envfile'      = "Test-DockOptImage -Image 'dockopt-f-none:absent' -SpecPath '$(Join-Path $d 'envspec.yaml')'"
        'sbom'                   = "Invoke-DockOptScan -Sbom '$($f.Sbom)' -VulnerabilityDatabase '$goodDb'"
        'vulndb-file'            = "Invoke-DockOptScan -Sbom '$sbom' -VulnerabilityDatabase '$($f.DbFile)'"
        'vulndb-zip'             = "Invoke-DockOptScan -Sbom '$sbom' -VulnerabilityDatabase '$($f.DbZip)'"
        'vulndb-folder'          = "Invoke-DockOptScan -Sbom '$sbom' -VulnerabilityDatabase '$(Join-Path $d 'db')'"
        'ignore-file'            = "Invoke-DockOptScan -Sbom '$sbom' -VulnerabilityDatabase '$goodDb' -IgnoreFile '$($f.Ignore)'"
        'trivy-report'           = "Invoke-DockOptScan -Sbom '$sbom' -VulnerabilityDatabase '$goodDb' -TrivyReport '$($f.Trivy)'"
        'history'                = "Get-DockOptHistory -Path '$($f.History)'"
    }
    $lines = foreach ($k in $caseScript.Keys) {
        @"
`$e = `$null; `$sw = [Diagnostics.Stopwatch]::StartNew()
try { $($caseScript[$k]) -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null } catch { `$e = @(`$_) }
`$id = @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId.Split(',')[0] }) -join '+'
[Console]::Out.WriteLine('$k|' + `$id + '|' + `$sw.Elapsed.TotalSeconds.ToString([Globalization.CultureInfo]::InvariantCulture)); [Console]::Out.Flush()
"@
    }
    $script = "`$ProgressPreference = 'SilentlyContinue'`nImport-Module '$(Get-DockOptTestModulePath)'`n" +
        # warm up: JIT and module load are not the reader's time
        "Test-DockOptDockerfile -Path '$df' | Out-Null`n" + ($lines -join "`n")
    $scriptFile = Join-Path $d 'child.ps1'
    Set-Content $scriptFile $script
    $pwsh = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $psi = [Diagnostics.ProcessStartInfo]::new($pwsh)
    if ($pwsh -match 'dotnet(\.exe)?$') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $scriptFile) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit(180000)) { $p.Kill($true); $p.WaitForExit() }   # a hung reader: its case line is missing
    $script:childOutput = $out.Result + $err.Result
    foreach ($l in ($out.Result -split "`n")) {
        $parts = $l.Trim().Split('|')
        if ($parts.Count -eq 3) { $script:results[$parts[0]] = [pscustomobject]@{ Id = $parts[1]; Seconds = [double]$parts[2] } }
    }
}

Describe 'Special files given to readers' {
    It 'fails at once with FileNotRegular for <What>' -ForEach $cases -Skip:$noFifo {
        $r = $script:results[$Case]
        $r | Should -Not -BeNullOrEmpty -Because "the child must report '$Case' before its timeout (a hang leaves it out): $($script:childOutput)"
        $r.Id | Should -Be 'FileNotRegular'
        $r.Seconds | Should -BeLessThan 2
    }
}
