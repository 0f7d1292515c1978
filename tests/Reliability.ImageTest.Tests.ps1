# Issue 18 items 1 and 3: bounded memory on container output, and nothing left behind on SIGTERM/SIGINT.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noDocker = -not (Test-DockerEngine)
    $noProc = -not (Test-Path /proc/self/status)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:pwsh = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $script:pre = @(if ($script:pwsh -match 'dotnet(\.exe)?$') { Join-Path $PSHOME 'pwsh.dll' })
    $script:mod = Get-DockOptTestModulePath
    $script:docker = Test-DockerEngine
}

Describe 'Readiness on a container that prints a lot' -Tag 'RequiresDocker' {
    BeforeAll {
        if (-not $script:docker) { return }
        $script:repo = New-TestImageName 'h11-loud'
        # Prints SIZE bytes of 4 KB log lines, then the ready line, then idles.
        $script:loud = New-TestImage -Tag "$($script:repo):loud" -Dockerfile @'
FROM dockopt/busybox:latest
CMD ["sh", "-c", "L=$(printf '%4000s' x | tr ' ' -); yes \"GET /index.html 200 $L\" | head -c ${SIZE:-1000}; echo; echo 'server READY on 8080'; exec sleep 600"]
'@
    }
    AfterAll { if ($script:loud) { Remove-TestImage $script:loud } }

    It 'finds the ready line after 200 MB of output with peak memory growth under 150 MB' -Skip:($noDocker -or $noProc) {
        $small = Join-Path $TestDrive 'small.yaml'
        $big = Join-Path $TestDrive 'big.yaml'
        Set-Content $small "runtime:`n  environment: { SIZE: '1000' }`n  ready: { log: '^server READY', timeout: 60s }`n  shutdown: false`n"
        Set-Content $big "runtime:`n  environment: { SIZE: '200000000' }`n  ready: { log: '^server READY', timeout: 900s }`n  shutdown: false`n"
        $out = Join-Path $TestDrive 'mem.json'
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($script:mod)'
function Hwm { [long](@((Get-Content /proc/self/status) -match '^VmHWM')[0] -replace '\D', '') * 1KB }
# Warm up (JIT, the engine connection) on the same image with 1 KB of output.
`$w = @(Test-DockOptImage '$($script:loud)' -SpecPath '$small' -Category Startup)
`$before = Hwm
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$r = @(Test-DockOptImage '$($script:loud)' -SpecPath '$big' -Category Startup)
`$sw.Stop()
`$after = Hwm
[pscustomobject]@{ Before = `$before; After = `$after; Seconds = `$sw.Elapsed.TotalSeconds
    Warm = (`$w | ForEach-Object { "`$(`$_.Name)=`$(`$_.Outcome)" }) -join ','
    Big = (`$r | ForEach-Object { "`$(`$_.Name)=`$(`$_.Outcome):`$(`$_.Actual)" }) -join ',' } | ConvertTo-Json | Set-Content '$out'
"@
        $o = (& $script:pwsh @script:pre -NoProfile -NonInteractive -Command $script 2>&1) -replace '\x1b\[[0-9;]*m', ''
        Test-Path $out | Should -BeTrue -Because "the child run wrote its figures ($o)"
        $m = Get-Content -Raw $out | ConvertFrom-Json
        Write-Host ("    200 MB of output: ready in {0:0.0} s; VmHWM {1:0} MB -> {2:0} MB (growth {3:0} MB)" -f $m.Seconds, ($m.Before / 1MB), ($m.After / 1MB), (($m.After - $m.Before) / 1MB))
        $m.Warm | Should -Match 'Starts and becomes ready=Passed'
        $m.Big | Should -Match 'Starts and becomes ready=Passed' -Because 'the ready line comes after 200 MB of output'
        ($m.After - $m.Before) | Should -BeLessThan 150MB
        @(& docker ps -a -q --filter "ancestor=$($script:loud)") | Should -BeNullOrEmpty
    }

    It 'quotes only the capped tail of a 10 MB log when readiness times out (issue 18 item 7)' -Skip:$noDocker {
        $spec = Join-Path $TestDrive 'never.yaml'
        Set-Content $spec "runtime:`n  environment: { SIZE: '10000000' }`n  ready: { log: '^NEVER', timeout: 10s }`n  shutdown: false`n"
        $r = @(Test-DockOptImage $script:loud -SpecPath $spec -Category Startup)
        $start = @($r | Where-Object Outcome -eq 'Failed')[0]
        $start | Should -Not -BeNullOrEmpty -Because 'the ready line never comes'
        $start.Detail.Length | Should -BeLessThan 4200 -Because 'a container log is quoted through the shared cap (20 lines of 4 KB were 80 KB)'
        $start.Detail | Should -Match '^… \([\d,]+ earlier bytes'
        $start.Detail | Should -Match 'server READY on 8080$' -Because 'the end of the log is what is kept'
    }
}

Describe 'A signal mid-operation leaves nothing behind' -Tag 'RequiresDocker' {
    BeforeAll {
        # Starts a child pwsh running $Command with SIGINT/SIGTERM at their defaults (a background parent may ignore SIGINT).
        # Its temporary folder is TMPDIR=$Temp, so what it leaves there is its own.
        function Start-Child([string] $Command, [string] $Temp) {
            $psi = [Diagnostics.ProcessStartInfo]::new('/usr/bin/env')
            $psi.Environment['TMPDIR'] = $Temp
            foreach ($a in @('--default-signal=INT,TERM', $script:pwsh) + $script:pre + @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
            $p = [Diagnostics.Process]::Start($psi)
            $null = $p.StandardOutput.ReadToEndAsync(); $null = $p.StandardError.ReadToEndAsync()
            $p
        }
        function Wait-Until([scriptblock] $Condition, [int] $Seconds) {
            $deadline = (Get-Date).AddSeconds($Seconds)
            while (-not (& $Condition) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
            [bool](& $Condition)
        }
        if (-not $script:docker) { return }
        $script:sigRepo = New-TestImageName 'h11-signal'
        $script:idle = New-TestImage -Tag "$($script:sigRepo):idle" -Dockerfile "FROM dockopt/busybox:latest`nCMD [`"sleep`", `"600`"]`n"
        $script:registry = "127.0.0.1:$($env:DOCKOPT_REGISTRY_PORT ?? 5000)"
        $script:hasRegistry = $false
        try { $script:hasRegistry = (Invoke-WebRequest "http://$($script:registry)/v2/" -TimeoutSec 3 -SkipHttpErrorCheck).StatusCode -in 200, 401 } catch { }
        # 64 MB of incompressible data: the push takes long enough to be interrupted.
        $script:bulky = New-TestImage -Tag "$($script:sigRepo):bulky" -Dockerfile "FROM dockopt/busybox:latest`nRUN head -c 67108864 /dev/urandom > /blob`n"
    }
    AfterAll { if ($script:sigRepo) { Remove-TestImage $script:idle, $script:bulky } }

    It 'Test-DockOptImage: <Signal> removes the test container and the process ends' -TestCases @(
        @{ Signal = 'TERM' }, @{ Signal = 'INT' }
    ) -Skip:$noDocker {
        param($Signal)
        $img = "$($script:sigRepo):idle-$($Signal.ToLowerInvariant())"
        & docker tag $script:idle $img
        try {
            $spec = Join-Path $TestDrive "never-$Signal.yaml"
            Set-Content $spec "runtime:`n  ready: { log: 'never printed', timeout: 300s }`n"
            $temp = New-Item -ItemType Directory -Path (Join-Path $TestDrive "tmp-$Signal")
            $p = Start-Child "Import-Module '$($script:mod)'; Test-DockOptImage '$img' -SpecPath '$spec' -Category Startup" $temp
            $started = Wait-Until { @(& docker ps -q --filter "label=dockopt.test.image=$img").Count -gt 0 } 120
            $started | Should -BeTrue -Because 'the test container was started'
            Start-Sleep -Milliseconds 500 # readiness polling under way
            & kill -s $Signal $p.Id
            $p.WaitForExit(90000) | Should -BeTrue -Because "the child pwsh ends after SIG$Signal"
            if ($Signal -eq 'TERM') { $p.ExitCode | Should -Be 143 }
            @(& docker ps -a -q --filter "label=dockopt.test.image=$img") | Should -BeNullOrEmpty -Because "SIG$Signal removes the dockopt-test container"
            @(Get-ChildItem -Force $temp -Recurse | Where-Object Name -like 'dockopt*') | Should -BeNullOrEmpty -Because 'no temporary file of its own is left behind'
        }
        finally {
            if ($p -and -not $p.HasExited) { $p.Kill() }
            @(& docker ps -a -q --filter "label=dockopt.test.image=$img") | ForEach-Object { & docker rm -f $_ *> $null }
            Remove-TestImage $img
        }
    }

    It 'Publish-DockOptImage: <Signal> mid-push removes the temporary local tag' -TestCases @(
        @{ Signal = 'TERM' }, @{ Signal = 'INT' }
    ) -Skip:$noDocker {
        param($Signal)
        if (-not $script:hasRegistry) { Set-ItResult -Skipped -Because "no registry answers on $($script:registry) (Bootstrap starts it)"; return }
        $repo = "h11-signal-$($Signal.ToLowerInvariant())-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $local = "$($script:registry)/$repo"
        $temp = New-Item -ItemType Directory -Path (Join-Path $TestDrive "ptmp-$Signal")
        $p = Start-Child "Import-Module '$($script:mod)'; Publish-DockOptImage -Name '$($script:bulky)' -Registry '$($script:registry)' -Repository '$repo' -Tag 'v1'" $temp
        try {
            $tagged = Wait-Until { @(& docker images -q $local).Count -gt 0 -or $p.HasExited } 120
            $tagged | Should -BeTrue
            $p.HasExited | Should -BeFalse -Because 'the push is still under way when the signal comes'
            & kill -s $Signal $p.Id
            $p.WaitForExit(90000) | Should -BeTrue -Because "the child pwsh ends after SIG$Signal"
            if ($Signal -eq 'TERM') { $p.ExitCode | Should -Be 143 }
            @(& docker images -q $local) | Should -BeNullOrEmpty -Because "SIG$Signal removes the temporary tag $local"
            @(Get-ChildItem -Force $temp -Recurse | Where-Object Name -like 'dockopt*') | Should -BeNullOrEmpty
        }
        finally {
            if (-not $p.HasExited) { $p.Kill() }
            & docker image rm "$($local):v1" *> $null
        }
    }
}

Describe 'A missing entrypoint binary' -Tag 'RequiresDocker' {
    It 'is a Failed startup result, not an engine error, and leaves no container' -Skip:$noDocker {
        $img = New-TestImage -Tag "$(New-TestImageName 'h11-noentry'):test" -Dockerfile "FROM dockopt/busybox:latest`nENTRYPOINT [`"/no/such/binary`"]`n"
        try {
            $r = @(Test-DockOptImage $img -Category Startup -ErrorVariable errs -ErrorAction SilentlyContinue)
            $errs | Should -BeNullOrEmpty
            $s = @($r | Where-Object { $_.Category -eq 'Startup' -and $_.Name -eq 'Starts and becomes ready' })
            $s.Count | Should -Be 1
            $s[0].Outcome | Should -Be 'Failed'
            $s[0].Actual | Should -Be 'not started'
            $s[0].Message | Should -Match 'ENTRYPOINT'
            $s[0].Detail | Should -Match 'exit 127'
            @(& docker ps -a -q --filter "label=dockopt.test.image=$img") | Should -BeNullOrEmpty
        }
        finally { Remove-TestImage $img }
    }
}
