BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    # Containers this suite's images left behind (there must be none).
    function Get-LeftoverContainer([string] $Image) {
        @(& docker ps -a -q --filter 'label=dockopt.test' --filter "label=dockopt.test.image=$Image")
    }
    function Get-Result($Results, [string] $Category, [string] $Name) {
        $r = @($Results | Where-Object { $_.Category -eq $Category -and $_.Name -like $Name })
        $r.Count | Should -Be 1 -Because "one $Category result named '$Name' (got: $(($Results | ForEach-Object { "$($_.Category)/$($_.Name)" }) -join ', '))"
        $r[0]
    }
}

Describe 'Test-DockOptImage' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:repo = New-TestImageName 'dockopt-imagetest'
        $script:images = [System.Collections.Generic.List[string]]::new()

        # A healthy, non-root HTTP service that stops cleanly on SIGTERM (exec-form script that traps TERM).
        $start = "#!/bin/sh`ntrap 'kill `$pid; wait `$pid; exit 0' TERM`necho 'service starting'`nhttpd -f -p 8080 -h /www &`npid=`$!`necho 'listening on 8080'`nwait `$pid`n"
        $script:good = New-TestImage -Tag "$($script:repo):good" -Files @{ 'start.sh' = $start; 'health.json' = '{"status":"ok","checks":{"db":"up"},"version":"1.2.3"}' } -Dockerfile @'
FROM dockopt/busybox:latest
COPY start.sh /app/start.sh
COPY health.json /www/health
RUN chmod 0755 /app/start.sh && echo hello > /www/index.html && echo 'web:x:10001:10001::/www:/bin/false' >> /etc/passwd \
 && chown 10001:10001 /www/index.html && ln -s /www /site
ENV APP_MODE=production
LABEL org.opencontainers.image.title="imagetest" org.opencontainers.image.version="1.2.3"
EXPOSE 8080/tcp
USER web
HEALTHCHECK --interval=1s --timeout=2s --start-period=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/start.sh"]
'@
        $script:images.Add($script:good)
        $script:healthSha = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('{"status":"ok","checks":{"db":"up"},"version":"1.2.3"}'))).ToLowerInvariant()
    }
    AfterAll {
        foreach ($i in $script:images) {
            & docker ps -a -q --filter "label=dockopt.test.image=$i" | ForEach-Object { & docker rm -f $_ *> $null }
        }
        Remove-TestImage $script:images
    }

    Context 'a healthy non-root HTTP service' {
        BeforeAll {
            $spec = @"
schemaVersion: dockopt/v1
metadata:
  nonRoot: true
  exposedPorts: [8080/tcp]
  unexposedPorts: [8080/udp]
  healthcheck: { maxInterval: 10s, maxTimeout: 5s, minRetries: 2 }
  execForm: true
  stopSignal: TERM
  labels: { org.opencontainers.image.title: imagetest }
  labelPatterns: { org.opencontainers.image.version: '^\d+\.\d+\.\d+$' }
  env: [APP_MODE, PATH]
  absentEnv: [DEBUG]
  maxSize: 20MB
  maxLayers: 12
files:
  - path: /www/health
    type: file
    mode: '0644'
    owner: '0:0'
    contains: ['"status":"ok"']
    sha256: $($script:healthSha)
  - path: /www/index.html
    uid: 10001
    gid: 10001
  - path: /app/start.sh
    mode: -rwxr-xr-x
  - path: /etc/shadow
    exists: false
commands:
  - name: whoami by id
    command: [id, -u]
    stdout: '^10001$'
  - name: leave a marker
    command: [touch, /tmp/dockopt-marker]
  - name: commands share one container
    command: [test, -f, /tmp/dockopt-marker]
  - name: shell pipeline
    command: 'echo out; echo err >&2; exit 4'
    exitCode: 4
    stdout: '^out$'
    stderr: 'err'
runtime:
  memory: 64MB
  ready: { healthy: true, log: 'listening on 8080', tcp: true, http: /health }
  http:
    - path: /health
      status: [200]
      expectBody: '"status"'
      expectJson: { status: ok, checks.db: up }
      expectHeaders: { ETag: '^"[0-9a-f]+-[0-9a-f]+"$' }
      requests: 20
      maxP95: 1s
    - name: missing page is 404
      path: /nope
      status: ['400-499']
  resources: { maxMemory: 60MB, maxPids: 20, maxStartup: 30s, maxCpuPercent: 200 }
  shutdown: { gracePeriod: 5s }
"@
            $script:specPath = Join-Path $TestDrive 'good.yaml'
            Set-Content -Path $script:specPath -Value $spec
            $script:junit = Join-Path $TestDrive 'out/report.xml'
            New-Item -ItemType Directory -Path (Split-Path $script:junit) | Out-Null
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $script:all = @(Test-DockOptImage $script:good -SpecPath $script:specPath -IncludeSummary -Format JUnit -OutFile $script:junit -KeepContainer -WarningAction SilentlyContinue)
            $script:elapsed = $sw.Elapsed
            $script:results = @($script:all | Where-Object { $_ -is [DockOpt.ImageTestResult] })
            $script:summary = @($script:all | Where-Object { $_ -is [DockOpt.ImageTestSummary] })
            $script:kept = $script:summary[0].ContainerName
        }
        AfterAll { if ($script:kept) { & docker rm -f $script:kept *> $null } }

        It 'passes every check, in every category' {
            $bad = @($script:results | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" })
            $bad | Should -BeNullOrEmpty
            $script:results.Count | Should -BeGreaterThan 30
            foreach ($c in 'Metadata', 'Files', 'Command', 'Startup', 'Http', 'Health', 'Resources', 'Shutdown') {
                @($script:results | Where-Object Category -EQ $c).Count | Should -BeGreaterThan 0 -Because "category $c ran"
            }
            $script:summary.Count | Should -Be 1
            $script:summary[0].Success | Should -BeTrue
            $script:summary[0].Total | Should -Be $script:results.Count
            $script:summary[0].PassedCount | Should -Be $script:results.Count
        }

        It 'reports the image, exact checks and their evidence' {
            $id = & docker image inspect $script:good --format '{{.Id}}'
            $script:results | ForEach-Object { $_.Image | Should -Be $script:good; $_.ImageId | Should -Be $id }
            (Get-Result $script:results 'Metadata' 'Runs as non-root user').Actual | Should -Match 'UID 10001'
            (Get-Result $script:results 'Files' '/www/health SHA-256').Actual | Should -Be $script:healthSha
            (Get-Result $script:results 'Files' '/www/index.html owner').Actual | Should -Be '10001:10001'
            (Get-Result $script:results 'Command' 'shell pipeline').Value | Should -Be 4
            (Get-Result $script:results 'Metadata' 'HEALTHCHECK command is in the image').Actual | Should -Be '/bin/wget'
            (Get-Result $script:results 'Health' 'Becomes healthy').Detail | Should -Match 'exit 0'
            $lat = Get-Result $script:results 'Http' '*latency'
            $lat.Actual | Should -Match 'p50 [\d.]+ ms, p95 [\d.]+ ms, 0 errors'
        }

        It 'publishes ports on 127.0.0.1 with ephemeral host ports and applies the memory limit' {
            $inspect = (& docker inspect $script:kept | ConvertFrom-Json)[0]
            $binding = $inspect.HostConfig.PortBindings.'8080/tcp'[0]
            $binding.HostIp | Should -Be '127.0.0.1'
            $binding.HostPort | Should -BeNullOrEmpty
            $inspect.HostConfig.Memory | Should -Be (64 * 1024 * 1024)
            $inspect.Config.Labels.'dockopt.test.image' | Should -Be $script:good
            $peak = Get-Result $script:results 'Resources' 'Peak memory'
            $peak.Value | Should -BeGreaterThan 0
            $peak.Value | Should -BeLessThan (64 * 1024 * 1024)
            $peak.Detail | Should -Match "limit: $(64 * 1024 * 1024) bytes"
            $script:summary[0].PeakMemory | Should -Be $peak.Value
        }

        It 'measures startup and shutdown with numbers consistent with the engine' {
            $startup = Get-Result $script:results 'Startup' 'Starts and becomes ready'
            $startup.Value | Should -BeGreaterThan 0
            $startup.Value | Should -BeLessThan $script:elapsed.TotalSeconds
            $script:summary[0].StartupSeconds | Should -Be $startup.Value
            $stop = Get-Result $script:results 'Shutdown' 'Stops gracefully'
            $stop.Actual | Should -Match '^exit 0 after'
            $stop.Value | Should -BeLessThan 5
            (& docker inspect $script:kept --format '{{.State.ExitCode}}') | Should -Be '0'
        }

        It 'writes JUnit XML that CI reporters accept' {
            Test-Path $script:junit | Should -BeTrue
            @(Get-ChildItem (Split-Path $script:junit) -Force).Name | Should -Be @('report.xml')   # temp file renamed away
            [xml] $x = Get-Content -Raw $script:junit
            $x.testsuites.tests | Should -Be "$($script:results.Count)"
            $suite = $x.testsuites.testsuite
            $suite.name | Should -Be $script:good
            $suite.tests | Should -Be "$($script:results.Count)"
            $suite.failures | Should -Be '0'
            $suite.errors | Should -Be '0'
            @($suite.testcase).Count | Should -Be $script:results.Count
            @($suite.testcase)[0].classname | Should -Be "$($script:good).Metadata"
        }

        It 'shows the default table view' {
            $text = $script:results | Out-String -Width 200
            $text | Should -Match 'Outcome\s+Category\s+Name\s+Actual'
            $text | Should -Match 'Passed\s+Shutdown\s+Stops gracefully'
        }
    }

    Context 'root users' {
        It 'fails non-root for USER 0 and for a user named app whose UID is 0' {
            $u0 = New-TestImage -Tag "$($script:repo):user0" -Dockerfile "FROM dockopt/busybox:latest`nUSER 0`n"
            $app = New-TestImage -Tag "$($script:repo):app0" -Dockerfile "FROM dockopt/busybox:latest`nRUN echo 'app:x:0:0:app:/:/bin/sh' >> /etc/passwd`nUSER app`n"
            $rootg = New-TestImage -Tag "$($script:repo):rootgrp" -Dockerfile "FROM dockopt/busybox:latest`nUSER root:nogroup`n"
            $script:images.AddRange([string[]]@($u0, $app, $rootg))
            $r = @(Test-DockOptImage $u0, $app, $rootg, $script:good -Category Metadata)
            $nr = @($r | Where-Object Name -EQ 'Runs as non-root user')
            $nr.Count | Should -Be 4
            ($nr | Where-Object Image -EQ $u0).Outcome | Should -Be 'Failed'
            ($nr | Where-Object Image -EQ $u0).Message | Should -Match 'UID 0'
            ($nr | Where-Object Image -EQ $app).Outcome | Should -Be 'Failed'
            ($nr | Where-Object Image -EQ $app).Actual | Should -Be 'app (UID 0)'
            ($nr | Where-Object Image -EQ $app).Message | Should -Match "/etc/passwd"
            ($nr | Where-Object Image -EQ $rootg).Outcome | Should -Be 'Failed'
            ($nr | Where-Object Image -EQ $script:good).Outcome | Should -Be 'Passed'
            @($r | Where-Object Category -NE 'Metadata').Count | Should -Be 0
            Get-LeftoverContainer $u0 | Should -BeNullOrEmpty
        }

        It '-FailOn Failed ends with one ImageTestGateFailed after all images, listing the failures' {
            $u0 = "$($script:repo):user0"
            $out = [System.Collections.Generic.List[object]]::new()
            try {
                Test-DockOptImage $u0, $script:good -Category Metadata -FailOn Failed | ForEach-Object { $out.Add($_) }
                throw 'expected ImageTestGateFailed'
            }
            catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'ImageTestGateFailed,DockOpt.Cmdlets.TestDockOptImageCommand'
            $err.Exception.Message | Should -Match ([regex]::Escape("$u0 [Failed] Metadata: Runs as non-root user"))
            $err.Exception.Message | Should -Not -Match ([regex]::Escape("$($script:good) [Failed]"))
            # Both images were tested before the error.
            @($out | Where-Object Image -EQ $script:good).Count | Should -BeGreaterThan 0
            @($out | Where-Object Image -EQ $u0).Count | Should -BeGreaterThan 0
        }

        It '-FailOn Failed gives a CI step exit code 1, and a passing run exit code 0' {
            $pwsh = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
            $pre = @(if ($pwsh -match 'dotnet(\.exe)?$') { Join-Path $PSHOME 'pwsh.dll' })
            $mod = Get-DockOptTestModulePath
            & $pwsh @pre -NoProfile -Command "Import-Module '$mod'; Test-DockOptImage 'dockopt/busybox:latest' -Category Metadata -FailOn Failed | Out-Null" *> $null
            $LASTEXITCODE | Should -Be 1
            $o = & $pwsh @pre -NoProfile -Command "Import-Module '$mod'; Test-DockOptImage '$($script:good)' -Category Metadata -FailOn Failed | Out-Null" 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$o"
        }

        It 'takes images from Get-DockOptImage through the pipeline' {
            $r = @(Get-DockOptImage -Name $script:good | Test-DockOptImage -Category Metadata)
            $r.Count | Should -BeGreaterThan 0
            $r | ForEach-Object { $_.Image | Should -Be $script:good }
        }
    }

    Context 'shutdown' {
        It 'fails a shell-form CMD that ignores SIGTERM as killed after the grace period, with the cause and the fix' {
            $img = New-TestImage -Tag "$($script:repo):shellform" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
CMD trap '' TERM; echo up; while true; do sleep 1; done
'@
            $script:images.Add($img)
            $r = @(Test-DockOptImage $img -Category Startup, Shutdown -GracePeriod 2s)
            (Get-Result $r 'Startup' '*').Outcome | Should -Be 'Passed'
            $s = Get-Result $r 'Shutdown' 'Stops gracefully'
            $s.Outcome | Should -Be 'Failed'
            $s.Actual | Should -Match '^exit 137 after .*killed after timeout'
            $s.Duration.TotalSeconds | Should -BeGreaterOrEqual 2
            $s.Duration.TotalSeconds | Should -BeLessThan 8
            $s.Message | Should -Match 'shell form'
            $s.Message | Should -Match 'exec form'
            $s.Message | Should -Match '--init'
            $s.Message | Should -Not -Match 'OOM killer'
            Get-LeftoverContainer $img | Should -BeNullOrEmpty
        }
    }

    Context 'startup' {
        It 'fails fast when the entrypoint exits 3, with the exit code and its log' {
            $img = New-TestImage -Tag "$($script:repo):exit3" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
EXPOSE 8080
ENTRYPOINT ["/bin/sh", "-c", "echo booting; echo 'fatal: missing DATABASE_URL' >&2; exit 3"]
'@
            $script:images.Add($img)
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = @(Test-DockOptImage $img -ReadyTimeout 60s -IncludeSummary -KeepContainer -WarningAction SilentlyContinue)
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 8
            $kept = ($r | Where-Object { $_ -is [DockOpt.ImageTestSummary] }).ContainerName
            try {
                (& docker inspect $kept --format '{{.State.ExitCode}} {{.State.OOMKilled}}') | Should -Be '3 false'
            }
            finally { & docker rm -f $kept *> $null }
            $r = @($r | Where-Object { $_ -is [DockOpt.ImageTestResult] })
            $s = Get-Result $r 'Startup' '*'
            $s.Outcome | Should -Be 'Failed'
            $s.Actual | Should -Be 'exited with code 3'
            $s.Message | Should -Match 'exited with code 3'
            $s.Detail | Should -Match 'fatal: missing DATABASE_URL'
            $s.Detail | Should -Match 'booting'
            (Get-Result $r 'Shutdown' '*').Outcome | Should -Be 'Skipped'
            (Get-Result $r 'Resources' '*').Outcome | Should -Be 'Skipped'
            Get-LeftoverContainer $img | Should -BeNullOrEmpty
        }

        It 'tells an out-of-memory kill at startup from a crash, as the engine does' {
            $img = New-TestImage -Tag "$($script:repo):oom" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
ENTRYPOINT ["/bin/sh", "-c", "echo allocating; x=$(head -c 100000000 /dev/zero | tr '\\0' a); sleep 60"]
'@
            $script:images.Add($img)
            $r = @(Test-DockOptImage $img -Memory 16MB -Category Startup -IncludeSummary -KeepContainer -WarningAction SilentlyContinue)
            $kept = ($r | Where-Object { $_ -is [DockOpt.ImageTestSummary] }).ContainerName
            try {
                $s = Get-Result @($r | Where-Object { $_ -is [DockOpt.ImageTestResult] }) 'Startup' '*'
                $s.Outcome | Should -Be 'Failed'
                $s.Actual | Should -Be 'exited with code 137, OOMKilled'
                $s.Message | Should -Match 'OOMKilled: it ran out of memory'
                $s.Detail | Should -Match 'allocating'
                (& docker inspect $kept --format '{{.State.ExitCode}} {{.State.OOMKilled}} {{.HostConfig.Memory}}') | Should -Be "137 true $(16MB)"
            }
            finally { & docker rm -f $kept *> $null }
        }

        It 'reports a failing HEALTHCHECK as unhealthy with its log' {
            $img = New-TestImage -Tag "$($script:repo):unhealthy" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
HEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD ["/bin/sh", "-c", "echo probe-says-database-down; exit 1"]
ENTRYPOINT ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
'@
            $script:images.Add($img)
            $r = @(Test-DockOptImage $img -Category Startup, Health)
            $h = Get-Result $r 'Health' 'Becomes healthy'
            $h.Outcome | Should -Be 'Failed'
            $h.Actual | Should -Match '^unhealthy'
            $h.Detail | Should -Match 'probe-says-database-down'
            $h.Detail | Should -Match 'exit 1'
            $s = Get-Result $r 'Startup' '*'
            $s.Outcome | Should -Be 'Failed'
            $s.Actual | Should -Be 'unhealthy'
        }

        It 'passes a slow but healthy start within the timeout' {
            $img = New-TestImage -Tag "$($script:repo):slow" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
HEALTHCHECK --interval=1s --timeout=1s --start-period=15s --retries=2 CMD ["test", "-f", "/tmp/ready"]
ENTRYPOINT ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 4; touch /tmp/ready; echo ready; while true; do sleep 0.2; done"]
'@
            $script:images.Add($img)
            $r = @(Test-DockOptImage $img -Category Startup, Health, Shutdown -ReadyTimeout 20s)
            $bad = @($r | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" })
            $bad | Should -BeNullOrEmpty
            (Get-Result $r 'Startup' '*').Value | Should -BeGreaterOrEqual 4
            (Get-Result $r 'Health' '*').Value | Should -BeGreaterOrEqual 4
        }

        It 'removes the container when the command is stopped (Ctrl+C)' {
            $img = "$($script:repo):ctrlc"
            & docker tag $script:good $img
            $script:images.Add($img)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$((Get-DockOptTestModulePath))'; Test-DockOptImage '$img' -ReadyTimeout 30")
                $async = $ps.BeginInvoke()
                $deadline = (Get-Date).AddSeconds(15)
                while (-not (Get-LeftoverContainer $img) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
                Get-LeftoverContainer $img | Should -Not -BeNullOrEmpty -Because 'the test container was started'
                $ps.Stop()
                Get-LeftoverContainer $img | Should -BeNullOrEmpty
                try { $null = $ps.EndInvoke($async) } catch { }   # let the invocation finish before the runspace is disposed
            }
            finally { $ps.Dispose() }
        }
    }

    Context 'files in an image with no shell' {
        It 'checks existence, type, mode, owner, content and SHA-256 from the layers' {
            $content = "name=dockopt`nmode=static`n"
            $img = New-TestImage -Tag "$($script:repo):scratch" -Files @{ 'data.txt' = $content } -Dockerfile @'
FROM scratch
COPY data.txt /data/app.conf
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
'@
            $script:images.Add($img)
            $sha = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($content))).ToLowerInvariant()
            $spec = Join-Path $TestDrive 'scratch.psd1'
            Set-Content $spec @"
@{
    files = @(
        @{ path = '/data/app.conf'; type = 'file'; mode = '0644'; owner = '0:0'; contains = '^mode=static$'; notContains = 'password'; sha256 = '$sha' }
        @{ path = '/data'; type = 'directory' }
        @{ path = '/bin/sh'; exists = `$false }
        @{ path = '/data/other.conf'; exists = `$true }
    )
}
"@
            $r = @(Test-DockOptImage $img -SpecPath $spec)
            @($r | Where-Object Category -NE 'Files').Count | Should -Be 0 -Because 'a spec with only files starts no container'
            $failed = @($r | Where-Object { -not $_.Passed })
            $failed.Count | Should -Be 1
            $failed[0].Name | Should -Be '/data/other.conf exists'
            $failed[0].Actual | Should -Be 'absent'
            (Get-Result $r 'Files' '/data/app.conf SHA-256').Actual | Should -Be $sha
            (Get-Result $r 'Files' '/data/app.conf mode').Actual | Should -Match '^0644'
            (Get-Result $r 'Files' '/data type').Actual | Should -Be 'directory'
        }

        It 'fails a shell-form HEALTHCHECK in an image without /bin/sh' {
            $r = @(Test-DockOptImage "$($script:repo):scratch" -Category Metadata)
            $h = Get-Result $r 'Metadata' 'HEALTHCHECK command is in the image'
            $h.Outcome | Should -Be 'Failed'
            $h.Actual | Should -Be 'not found'
            $h.Message | Should -Match 'no /bin/sh'
            (Get-Result $r 'Metadata' 'Runs as non-root user').Outcome | Should -Be 'Failed'
        }
    }

    Context 'spec files and parameters' {
        It 'runs a container-structure-test 2.0.0 YAML file' {
            $cst = Join-Path $TestDrive 'cst.yaml'
            Set-Content $cst @'
schemaVersion: 2.0.0
metadataTest:
  labels:
    - key: org.opencontainers.image.version
      value: '^1\.'
      isRegex: true
  exposedPorts: ["8080"]
  entrypoint: ["/app/start.sh"]
  user: web
fileExistenceTests:
  - name: start script
    path: /app/start.sh
    shouldExist: true
    permissions: -rwxr-xr-x
    uid: 0
fileContentTests:
  - name: health doc
    path: /www/health
    expectedContents: ['"version":"1\.2\.3"']
  - name: index under a symlinked directory
    path: /site/index.html
    expectedContents: ['^hello$']
commandTests:
  - name: echo works
    command: echo
    args: ["hello", "cst"]
    expectedOutput: ["hello cst"]
'@
            $r = @(Test-DockOptImage $script:good -SpecPath $cst -Category Metadata, Files, Command, Startup)
            $bad = @($r | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" })
            $bad | Should -BeNullOrEmpty
            (Get-Result $r 'Command' 'echo works').Outcome | Should -Be 'Passed'
            (Get-Result $r 'Metadata' 'User').Actual | Should -Be 'web'
            @($r | Where-Object Category -EQ 'Files').Count | Should -BeGreaterThan 3
            # Read from the layers through the symlinked directory /site → /www.
            @($r | Where-Object { $_.Category -eq 'Files' -and $_.Name -like 'index under a symlinked directory*' -and $_.Passed }).Count | Should -BeGreaterThan 1
        }

        It 'takes quick checks from parameters' {
            $r = @(Test-DockOptImage $script:good -Port 8080 -HttpGet /health, /index.html -ExpectStatus 200 -Category Http, Startup)
            @($r | Where-Object Category -EQ 'Http').Count | Should -Be 2
            $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' }
            $r2 = @(Test-DockOptImage $script:good -HttpGet /health -ExpectStatus 500-599 -Category Http)
            $r2[0].Outcome | Should -Be 'Failed'
            $r2[0].Message | Should -Match 'status 200, expected 500-599'
        }

        It 'bounds each command with its timeout' {
            $spec = Join-Path $TestDrive 'timeout.yaml'
            Set-Content $spec "commands:`n  - name: hangs`n    command: [sleep, '30']`n    timeout: 1s`n"
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = @(Test-DockOptImage $script:good -SpecPath $spec -Category Command)
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 15
            $c = Get-Result $r 'Command' 'hangs'
            $c.Outcome | Should -Be 'Failed'
            $c.Actual | Should -Be 'timed out after 1 s'
            $c.Duration.TotalSeconds | Should -BeLessThan 3
            Get-LeftoverContainer $script:good | Should -BeNullOrEmpty
        }

        It 'loads every example spec' {
            $files = @(Get-ChildItem (Join-Path $PSScriptRoot '../examples/image-test-specs') -File)
            $files.Count | Should -BeGreaterOrEqual 3
            foreach ($f in $files) {
                $r = @(Test-DockOptImage $script:good -SpecPath $f.FullName -Category Metadata -ErrorAction Stop)
                $r.Count | Should -BeGreaterThan 0 -Because $f.Name
            }
        }

        It 'checks HTTPS with a self-signed certificate, POST bodies, headers and JSON (-SkipCertificateCheck)' {
            # A self-signed certificate made here; the service serves it from python's ssl module.
            $rsa = [Security.Cryptography.RSA]::Create(2048)
            $req = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $rsa, 'SHA256', [Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
            $pem = $cert.ExportCertificatePem() + "`n" + $rsa.ExportPkcs8PrivateKeyPem() + "`n"
            $server = @'
import http.server, json, ssl, signal, sys
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        self.reply(200 if self.path == '/health' else 404, {'status': 'ok', 'tls': True})
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = json.loads(self.rfile.read(n) or b'{}')
        self.reply(201, {'echo': body, 'token': self.headers.get('X-Token', '')})
    def log_message(self, *a):
        pass
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain('/app/tls.pem')
s = http.server.ThreadingHTTPServer(('0.0.0.0', 8443), H)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
print('serving https on 8443', flush=True)
s.serve_forever()
'@
            $img = New-TestImage -Tag "$($script:repo):tls" -Files @{ 'server.py' = $server; 'tls.pem' = $pem } -Dockerfile @'
FROM dockopt/python:3.11-slim
COPY server.py tls.pem /app/
USER 10001
EXPOSE 8443
CMD ["python3", "/app/server.py"]
'@
            $script:images.Add($img)
            $spec = Join-Path $TestDrive 'tls.yaml'
            Set-Content $spec @'
runtime:
  ready: { log: 'serving https' }
  http:
    - name: health over TLS
      path: /health
      tls: true
      skipCertificateCheck: true
      expectJson: { status: ok, tls: 'true' }
      expectHeaders: { Content-Type: '^application/json$' }
    - name: post echo
      method: POST
      path: /echo
      tls: true
      skipCertificateCheck: true
      headers: { X-Token: abc123 }
      body: '{"items":[{"name":"first"}]}'
      status: ['201']
      expectJson: { echo.items.0.name: first, token: abc123 }
    - name: certificate is checked by default
      path: /health
      tls: true
      timeout: 3s
'@
            $r = @(Test-DockOptImage $img -SpecPath $spec -Category Startup, Http)
            (Get-Result $r 'Startup' '*').Outcome | Should -Be 'Passed'
            (Get-Result $r 'Http' 'health over TLS').Outcome | Should -Be 'Passed'
            (Get-Result $r 'Http' 'post echo').Outcome | Should -Be 'Passed'
            (Get-Result $r 'Http' 'post echo').Value | Should -Be 201
            $strict = Get-Result $r 'Http' 'certificate is checked by default'
            $strict.Outcome | Should -Be 'Failed'
            $strict.Message | Should -Match 'SSL|certificate'
            # -SkipCertificateCheck on the command line applies to every HTTP check.
            $r2 = @(Test-DockOptImage $img -SpecPath $spec -Category Http -SkipCertificateCheck)
            (Get-Result $r2 'Http' 'certificate is checked by default').Outcome | Should -Be 'Passed'
        }

        It 'reports zero checks as an error, never a pass' {
            $empty = Join-Path $TestDrive 'empty.yaml'
            Set-Content $empty "metadata: {}`n"
            $r = @(Test-DockOptImage $script:good -SpecPath $empty -IncludeSummary)
            $r[0].Outcome | Should -Be 'Error'
            $r[0].Passed | Should -BeFalse
            $r[0].Category | Should -Be 'Suite'
            $r[1].Success | Should -BeFalse
            $r[1].Outcome | Should -Be 'Error'
        }

        It 'rejects an invalid spec with InvalidTestSpec naming the key' {
            $bad = Join-Path $TestDrive 'bad.yaml'
            Set-Content $bad "metadata:`n  nonRoot: true`n  maxSzie: 10MB`n"
            { Test-DockOptImage $script:good -SpecPath $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTestSpec,DockOpt.Cmdlets.TestDockOptImageCommand'
            try { Test-DockOptImage $script:good -SpecPath $bad } catch { $e = $_ }
            $e.Exception.Message | Should -Match 'maxSzie'
            $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            { Test-DockOptImage $script:good -SpecPath (Join-Path $TestDrive 'nope.yaml') } | Should -Throw -ErrorId 'TestSpecNotFound,DockOpt.Cmdlets.TestDockOptImageCommand'
        }

        It 'writes a non-terminating ImageNotFound for a missing image and tests the others' {
            $r = @(Test-DockOptImage 'dockopt-imagetest-none:nope', $script:good -Category Metadata -ErrorVariable err -ErrorAction SilentlyContinue)
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,DockOpt.Cmdlets.TestDockOptImageCommand'
            @($r | Where-Object Image -EQ $script:good).Count | Should -BeGreaterThan 0
        }
    }
}

Describe 'Test-DockOptImage exec-form check without false alarms' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:efRepo = New-TestImageName 'dockopt-imagetest-ef'
        $script:efImages = [System.Collections.Generic.List[string]]::new()
        function New-EfImage([string] $Tag, [string] $Dockerfile, [hashtable] $Files = @{}) {
            $img = New-TestImage -Tag "$($script:efRepo):$Tag" -Dockerfile $Dockerfile -Files $Files
            $script:efImages.Add($img)
            $img
        }
        function Get-ExecForm($Results) { Get-Result $Results 'Metadata' 'ENTRYPOINT/CMD in exec form' }
        $script:shutdownSpec = Join-Path $TestDrive 'shutdown.yaml'
        Set-Content $script:shutdownSpec "schemaVersion: dockopt/v1`nmetadata: { execForm: true }`nruntime: { shutdown: { gracePeriod: 3s } }`n"
    }
    AfterAll {
        foreach ($i in $script:efImages) { & docker ps -a -q --filter "label=dockopt.test.image=$i" | ForEach-Object { & docker rm -f $_ *> $null } }
        Remove-TestImage $script:efImages
    }

    It "passes a sh -c script whose last command is exec (the fix DockOpt's message recommends)" {
        $img = New-EfImage 'shexec' @'
FROM dockopt/busybox:latest
USER 10001
CMD ["sh", "-c", "exec httpd -f -p 8080 -h /www"]
'@
        $r = @(Test-DockOptImage $img -Category Metadata)
        $e = Get-ExecForm $r
        $e.Outcome | Should -Be 'Passed'
        $e.Message | Should -Match "ends with 'exec httpd'"
    }

    It 'passes a sh -c script that traps TERM and forwards it, statically and by the graceful-shutdown check it defers to' {
        $img = New-EfImage 'shtrap' @'
FROM dockopt/busybox:latest
USER 10001
CMD ["sh", "-c", "trap 'kill $pid; wait $pid; exit 0' TERM; httpd -f -p 8080 -h /tmp & pid=$!; wait $pid"]
'@
        $static = Get-ExecForm @(Test-DockOptImage $img -Category Metadata)
        $static.Outcome | Should -Be 'Passed'
        $static.Message | Should -Match 'traps SIGTERM'
        $r = @(Test-DockOptImage $img -SpecPath $script:shutdownSpec -Category Metadata, Startup, Shutdown)
        (Get-Result $r 'Shutdown' 'Stops gracefully').Outcome | Should -Be 'Passed'
        $e = Get-ExecForm $r
        $e.Outcome | Should -Be 'Passed'
        $e.Message | Should -Match 'Decided by the graceful-shutdown check, which passed'
    }

    It 'fails a sh -c script that ignores TERM, statically and by the graceful-shutdown check' {
        $img = New-EfImage 'shignore' @'
FROM dockopt/busybox:latest
USER 10001
CMD ["sh", "-c", "trap '' TERM; httpd -f -p 8080 -h /tmp & wait"]
'@
        $static = Get-ExecForm @(Test-DockOptImage $img -Category Metadata)
        $static.Outcome | Should -Be 'Failed'
        $static.Message | Should -Match 'ignores or resets'
        $r = @(Test-DockOptImage $img -SpecPath $script:shutdownSpec -Category Metadata, Startup, Shutdown)
        (Get-Result $r 'Shutdown' 'Stops gracefully').Actual | Should -Match '^exit 137'
        (Get-ExecForm $r).Outcome | Should -Be 'Failed'
    }

    It 'passes tini as PID 1 in front of a shell-form command, and the app does stop' {
        if (-not (Test-Path /usr/bin/tini-static)) { Set-ItResult -Skipped -Because 'no /usr/bin/tini-static on this host to copy into the test image'; return }
        $dir = Join-Path $TestDrive 'tini'
        New-Item -ItemType Directory $dir | Out-Null
        Copy-Item /usr/bin/tini-static (Join-Path $dir 'tini')
        Set-Content (Join-Path $dir 'Dockerfile') "FROM dockopt/busybox:latest`nCOPY tini /sbin/tini`nUSER 10001`nENTRYPOINT [`"/sbin/tini`", `"--`"]`nCMD httpd -f -p 8080 -h /tmp`n"
        $img = "$($script:efRepo):tini"
        $env:DOCKER_BUILDKIT = '0'
        & docker build -q -t $img $dir | Out-Null
        $LASTEXITCODE | Should -Be 0
        $script:efImages.Add($img)
        $static = Get-ExecForm @(Test-DockOptImage $img -Category Metadata)
        $static.Outcome | Should -Be 'Passed'
        $static.Message | Should -Match '^tini is PID 1'
        $r = @(Test-DockOptImage $img -SpecPath $script:shutdownSpec -Category Metadata, Startup, Shutdown)
        (Get-Result $r 'Shutdown' 'Stops gracefully').Outcome | Should -Be 'Passed'
        (Get-ExecForm $r).Outcome | Should -Be 'Passed'
    }

    It "passes a shell-form CMD run with docker's --init (runtime.init), and fails the same image without it" {
        $img = New-EfImage 'initflag' @'
FROM dockopt/busybox:latest
USER 10001
CMD httpd -f -p 8080 -h /tmp
'@
        $withInit = Join-Path $TestDrive 'init.yaml'
        Set-Content $withInit "schemaVersion: dockopt/v1`nmetadata: { execForm: true }`nruntime: { init: true, shutdown: { gracePeriod: 3s } }`n"
        $r = @(Test-DockOptImage $img -SpecPath $withInit -Category Metadata, Startup, Shutdown)
        (Get-Result $r 'Shutdown' 'Stops gracefully').Outcome | Should -Be 'Passed'
        (Get-ExecForm $r).Outcome | Should -Be 'Passed'
        $static = Get-ExecForm @(Test-DockOptImage $img -SpecPath $withInit -Category Metadata)
        $static.Outcome | Should -Be 'Passed'
        $static.Message | Should -Match '--init'
        (Get-ExecForm @(Test-DockOptImage $img -Category Metadata)).Outcome | Should -Be 'Failed'
    }

    It 'fails an exec-form app that ignores the stop signal as PID 1: the static check defers to the shutdown result' {
        $img = New-EfImage 'execignores' @'
FROM dockopt/busybox:latest
USER 10001
CMD ["httpd", "-f", "-p", "8080", "-h", "/tmp"]
'@
        (Get-ExecForm @(Test-DockOptImage $img -Category Metadata)).Outcome | Should -Be 'Passed'
        $r = @(Test-DockOptImage $img -SpecPath $script:shutdownSpec -Category Metadata, Startup, Shutdown)
        (Get-Result $r 'Shutdown' 'Stops gracefully').Actual | Should -Match '^exit 137'
        $e = Get-ExecForm $r
        $e.Outcome | Should -Be 'Failed'
        $e.Message | Should -Match 'Decided by the graceful-shutdown check, which failed'
    }
}

Describe 'Test-DockOptImage commands in a container of their own' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:ownRepo = New-TestImageName 'dockopt-imagetest-own'
        $script:ownImages = [System.Collections.Generic.List[string]]::new()
    }
    AfterAll {
        foreach ($i in $script:ownImages) { & docker ps -a -q --filter "label=dockopt.test.image=$i" | ForEach-Object { & docker rm -f $_ *> $null } }
        Remove-TestImage $script:ownImages
    }

    It "runs the commands of an image whose entrypoint exits at once, as the image's user, env and workdir, never Skipped" {
        $img = New-TestImage -Tag "$($script:ownRepo):exits" -Dockerfile @'
FROM dockopt/busybox:latest
ENV APP_MODE=batch
WORKDIR /srv/job
USER 4321:4321
ENTRYPOINT ["/bin/sh", "-c", "echo done; exit 3"]
'@
        $script:ownImages.Add($img)
        $spec = Join-Path $TestDrive 'cmds.yaml'
        Set-Content $spec @'
commands:
  - name: identity
    command: [sh, -c, 'echo "$(id -u):$(id -g) $(pwd) $APP_MODE $EXTRA"']
    env: { EXTRA: given }
    stdout: ['^4321:4321 /srv/job batch given$']
  - name: as root
    command: [id, -u]
    user: "0"
    stdout: ['^0$']
  - name: missing binary
    command: [/no/such/tool]
    exitCode: 127
'@
        $r = @(Test-DockOptImage $img -SpecPath $spec -Category Startup, Command)
        (Get-Result $r 'Startup' '*').Actual | Should -Be 'exited with code 3'
        $id = Get-Result $r 'Command' 'identity'
        $id.Outcome | Should -Be 'Passed' -Because $id.Detail
        $id.Message | Should -Match 'container of its own'
        (Get-Result $r 'Command' 'as root').Outcome | Should -Be 'Passed'
        $m = Get-Result $r 'Command' 'missing binary'
        $m.Outcome | Should -Be 'Passed' -Because "$($m.Message) $($m.Detail)"
        @($r | Where-Object Outcome -EQ 'Skipped').Count | Should -Be 0
        @(& docker ps -a -q --filter "label=dockopt.test.image=$img").Count | Should -Be 0
    }

    It "runs a 'container: separate' command apart from the running app container" {
        $img = New-TestImage -Tag "$($script:ownRepo):app" -Dockerfile @'
FROM dockopt/busybox:latest
USER 10001
ENTRYPOINT ["/bin/sh", "-c", "touch /tmp/app-started; exec sleep 300"]
'@
        $script:ownImages.Add($img)
        $spec = Join-Path $TestDrive 'sep.yaml'
        Set-Content $spec @'
runtime: { shutdown: false }
commands:
  - name: in the app container
    command: [test, -e, /tmp/app-started]
  - name: in its own container
    command: [test, -e, /tmp/app-started]
    container: separate
    exitCode: 1
'@
        $r = @(Test-DockOptImage $img -SpecPath $spec -Category Command)
        (Get-Result $r 'Command' 'in the app container').Outcome | Should -Be 'Passed'
        (Get-Result $r 'Command' 'in its own container').Outcome | Should -Be 'Passed'
        @(& docker ps -a -q --filter "label=dockopt.test.image=$img").Count | Should -Be 0
    }
}

Describe 'Test-DockOptImage file checks through the archive API' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:arRepo = New-TestImageName 'dockopt-imagetest-ar'
        $script:arImg = New-TestImage -Tag "$($script:arRepo):links" -Dockerfile @'
FROM dockopt/busybox:latest
RUN mkdir -p /data/real /opt && echo 'payload-42' > /data/real/file.txt && chmod 0640 /data/real/file.txt && chown 123:456 /data/real/file.txt \
 && ln -s real /data/rel && ln -s /data/real/file.txt /opt/abs && ln -s ../data/rel/file.txt /opt/chain \
 && ln -s /loop-b /loop-a && ln -s /loop-a /loop-b && chmod 4755 /bin/busybox \
 && for i in $(seq 1 2000); do echo $i > /data/f$i; done
USER 10001
CMD ["true"]
'@
    }
    AfterAll { Remove-TestImage $script:arImg }

    It 'resolves symlinks as the kernel would: ancestors followed, the final link reported as a link and read through for content' {
        $spec = Join-Path $TestDrive 'links.yaml'
        Set-Content $spec @'
files:
  - { name: through a relative dir link, path: /data/rel/file.txt, type: file, mode: '0640', owner: '123:456', contains: ['^payload-42$'] }
  - { name: absolute link, path: /opt/abs, type: symlink, contains: ['payload-42'] }
  - { name: chain of links, path: /opt/chain, type: symlink, contains: ['payload-42'] }
  - { name: dir link itself, path: /data/rel, type: symlink }
  - { name: a loop, path: /loop-a, contains: [x] }
  - { name: under a file, path: /data/real/file.txt/nope, exists: false }
  - { name: setuid kept, path: /bin/busybox, mode: '4755' }
  - { name: a big directory, path: /data, type: directory }
'@
        $r = @(Test-DockOptImage $script:arImg -SpecPath $spec -Category Files)
        foreach ($n in 'through a relative dir link*', 'absolute link*', 'chain of links*', 'dir link itself*', 'under a file*', 'setuid kept*', 'a big directory*') {
            @($r | Where-Object Name -Like $n) | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Name): $($_.Actual) $($_.Message)" }
        }
        @($r | Where-Object { $_.Name -like 'a loop*' -and $_.Outcome -ne 'Passed' }).Count | Should -BeGreaterThan 0
        @(& docker ps -a -q --filter 'label=dockopt.test.files').Count | Should -Be 0
    }

    It "reads Debian's /etc/os-release through its relative link and /bin/sh through the /bin -> usr/bin link" {
        $spec = Join-Path $TestDrive 'debian.yaml'
        Set-Content $spec "files:`n  - { path: /etc/os-release, type: symlink, contains: ['^ID=debian$'] }`n  - { path: /bin/sh, type: symlink }`n  - { path: /usr/bin/dash, type: file, mode: '0755' }`n"
        $r = @(Test-DockOptImage 'dockopt/debian:bookworm-slim' -SpecPath $spec -Category Files)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Name): $($_.Actual) $($_.Message)" }
    }
}

Describe "Test-DockOptImage on container-structure-test's own specs" -Tag 'RequiresDocker' {
    BeforeAll {
        $script:cstDir = Join-Path $PSScriptRoot 'DockOpt.Engine.Tests/Testing/Data/container-structure-test/tests'
        $script:cstRepo = New-TestImageName 'dockopt-imagetest-cst'
        $script:cstImages = [System.Collections.Generic.List[string]]::new()
        function Get-Cst([string] $Name) { Join-Path $script:cstDir "amd64/$Name" }
        # Its CI's images are FROM ubuntu:22.04, which can't be pulled here: the local Debian base, made to match.
        $script:cstUbuntuLike = New-TestImage -Tag "$($script:cstRepo):ubuntu-like" -Dockerfile @'
FROM dockopt/debian:bookworm-slim
RUN echo 'deb http://archive.ubuntu.com/ubuntu jammy main' > /etc/apt/sources.list \
 && mkdir -p /usr/share/doc/ubuntu-keyring && cp /usr/share/doc/dash/copyright /usr/share/doc/ubuntu-keyring/copyright \
 && echo 'APT::AutoRemove::SuggestsImportant "false";' > /etc/apt/apt.conf.d/99autoremove && touch /etc/machine-id
'@
        $script:cstImages.Add($script:cstUbuntuLike)
    }
    AfterAll {
        foreach ($i in $script:cstImages) { & docker ps -a -q --filter "label=dockopt.test.image=$i" | ForEach-Object { & docker rm -f $_ *> $null } }
        Remove-TestImage $script:cstImages
    }

    It 'passes ubuntu_22_04_metadata_test.yaml on the image its Dockerfile.metadata builds (envVars, unboundEnvVars, labels, unexposedPorts, unmountedVolumes)' {
        $df = (Get-Content -Raw (Join-Path $script:cstDir 'Dockerfile.metadata')) -replace 'FROM ubuntu:22.04', 'FROM dockopt/debian:bookworm-slim'
        $img = New-TestImage -Tag "$($script:cstRepo):metadata" -Dockerfile $df
        $script:cstImages.Add($img)
        $r = @(Test-DockOptImage $img -SpecPath (Get-Cst 'ubuntu_22_04_metadata_test.yaml') -WarningVariable w)
        $w.Count | Should -Be 0
        $r.Count | Should -BeGreaterOrEqual 10
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" }
        ($r | Where-Object Name -EQ 'No volume /root').Outcome | Should -Be 'Passed'
        ($r | Where-Object Name -EQ 'Env BAR_FOO not set').Outcome | Should -Be 'Passed'
        # and the same spec fails an image that binds what it must not
        $bad = New-TestImage -Tag "$($script:cstRepo):metadata-bad" -Dockerfile "$df`nENV BAR_FOO=1`nVOLUME /root`nEXPOSE 80`n"
        $script:cstImages.Add($bad)
        $rb = @(Test-DockOptImage $bad -SpecPath (Get-Cst 'ubuntu_22_04_metadata_test.yaml'))
        @($rb | Where-Object Outcome -EQ 'Failed').Name | Sort-Object | Should -Be @('Does not expose port 80/tcp', 'Env BAR_FOO not set', 'No volume /root')
    }

    It 'passes ubuntu_22_04_test.yaml (commands in their own containers, uid/gid, isExecutableBy, license files) on a Debian image made to match' {
        $r = @(Test-DockOptImage $script:cstUbuntuLike -SpecPath (Get-Cst 'ubuntu_22_04_test.yaml'))
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
        @($r | Where-Object Category -EQ 'Command').Count | Should -Be 3
        ($r | Where-Object Name -EQ 'Date executable by owner').Outcome | Should -Be 'Passed'
        ($r | Where-Object Name -Like 'License /usr/share/doc/dash/copyright').Outcome | Should -Be 'Passed'
        @(& docker ps -a -q --filter "label=dockopt.test.image=$($script:cstUbuntuLike)").Count | Should -Be 0
    }

    It 'fails ubuntu_22_04_failure_test.yaml (schemaVersion 1.0.0) where that project expects it to fail, and runs its Debian license scan' {
        $r = @(Test-DockOptImage $script:cstUbuntuLike -SpecPath (Get-Cst 'ubuntu_22_04_failure_test.yaml'))
        $failed = @($r | Where-Object Outcome -EQ 'Failed').Name
        $failed | Should -Contain 'Fake Dir exists'
        $failed | Should -Contain 'Wrong permissions mode'
        $failed | Should -Contain 'Wrong Retry Policy exists'
        $failed | Should -Contain 'bad apt-get-command' # Debian's apt-get exits 100 where Ubuntu's spec says 1
        ($r | Where-Object Name -EQ 'path').Outcome | Should -Be 'Passed'
        $lic = $r | Where-Object Name -Like 'Debian package licenses*'
        $lic.Value | Should -BeGreaterThan 10
        $lic.Outcome | Should -BeIn 'Passed', 'Failed'
    }

    It 'passes the containeropts env and envFile specs: variables from this process and from tests/envfile reach the commands' {
        $env:FOO = 'keepitsecret!'; $env:BAR = 'keepitsafe!'
        try {
            $r = @(Test-DockOptImage $script:cstUbuntuLike -SpecPath (Get-Cst 'ubuntu_22_04_containeropts_env_test.yaml'))
            (Get-Result $r 'Command' 'Test envVars containerRunOptions').Outcome | Should -Be 'Passed'
        }
        finally { Remove-Item env:FOO, env:BAR }
        $r = @(Test-DockOptImage $script:cstUbuntuLike -SpecPath (Get-Cst 'ubuntu_22_04_containeropts_envfile_test.yaml'))
        $c = Get-Result $r 'Command' 'Test envFile containerRunOptions'
        $c.Outcome | Should -Be 'Passed'
        $c.Detail | Should -Match 'FOO=keepitsecret!'
    }
}

Describe 'Test-DockOptImage run options' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:roRepo = New-TestImageName 'dockopt-imagetest-ro'
        $script:roImg = New-TestImage -Tag "$($script:roRepo):web" -Dockerfile @'
FROM dockopt/busybox:latest
RUN mkdir -p /www && echo served > /www/index.html
EXPOSE 8080
ENTRYPOINT ["httpd", "-f", "-p", "8080", "-h", "/www"]
'@
        $script:roSuffix = [guid]::NewGuid().ToString('n').Substring(0, 8)
    }
    AfterAll {
        & docker ps -a -q --filter "label=dockopt.test.image=$($script:roImg)" | ForEach-Object { & docker rm -f $_ *> $null }
        & docker volume rm -f "dockopt-test-vol-$($script:roSuffix)" *> $null
        & docker network rm "dockopt-test-net-$($script:roSuffix)" *> $null
        Remove-TestImage $script:roImg
    }

    It 'mounts a bind, a named volume and a tmpfs, reads an env file and overrides the user' {
        $data = Join-Path $TestDrive 'data'
        New-Item -ItemType Directory $data | Out-Null
        Set-Content (Join-Path $data 'in.txt') 'from-the-host'
        Set-Content (Join-Path $TestDrive 'app.env') "# comment`nAPP_COLOR=teal`n"
        $spec = Join-Path $TestDrive 'mounts.yaml'
        Set-Content $spec @"
runtime:
  user: '4242:4242'
  envFiles: [app.env]
  mounts:
    - { type: bind, source: ./data, target: /data, readOnly: true }
    - { type: volume, source: dockopt-test-vol-$($script:roSuffix), target: /vol }
    - { type: tmpfs, target: /scratch }
  shutdown: false
commands:
  - { name: bind, command: [cat, /data/in.txt], stdout: ['^from-the-host$'] }
  - { name: bind is read-only, command: [touch, /data/x], exitCode: 1 }
  - { name: volume, command: [sh, -c, 'grep " /vol " /proc/mounts'] }
  - { name: tmpfs, command: [sh, -c, 'grep "^tmpfs /scratch " /proc/mounts'] }
  - { name: env file, command: [sh, -c, 'echo `$APP_COLOR'], stdout: ['^teal$'] }
  - { name: user, command: [id, -u], stdout: ['^4242$'] }
  - { name: user in its own container, command: [id, -u], stdout: ['^4242$'], container: separate }
"@
        $r = @(Test-DockOptImage $script:roImg -SpecPath $spec -Category Startup, Command)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
        @($r | Where-Object Category -EQ 'Command').Count | Should -Be 7
        (& docker volume ls -q --filter "name=dockopt-test-vol-$($script:roSuffix)") | Should -Not -BeNullOrEmpty
    }

    It 'adds and drops capabilities (CapEff as the kernel reports it)' {
        $spec = Join-Path $TestDrive 'caps.yaml'
        # docker's default set is 0xa80425fb; CHOWN is bit 0, NET_ADMIN bit 12
        Set-Content $spec @'
runtime: { user: '0', capDrop: [chown], capAdd: [NET_ADMIN], shutdown: false }
commands:
  - { name: effective caps, command: [grep, CapEff, /proc/self/status], stdout: ['CapEff:\s+0*a80435fa$'] }
  - { name: chown refused, command: [chown, '1', /www/index.html], exitCode: 1 }
'@
        $r = @(Test-DockOptImage $script:roImg -SpecPath $spec -Category Command)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
    }

    It 'serves with a read-only root filesystem, and writes there fail' {
        $spec = Join-Path $TestDrive 'ro.yaml'
        Set-Content $spec @'
runtime:
  readOnly: true
  http: [ { path: /index.html, expectBody: served } ]
  shutdown: false
commands:
  - { name: root is read-only, command: [touch, /www/new], exitCode: 1, stderr: ['Read-only file system'] }
'@
        $r = @(Test-DockOptImage $script:roImg -SpecPath $spec -Category Startup, Http, Command)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
        @($r | Where-Object Category -EQ 'Http').Count | Should -BeGreaterThan 0
    }

    It 'joins no network, the default bridge or a named network' {
        $net = "dockopt-test-net-$($script:roSuffix)"
        & docker network create --subnet 172.29.73.0/24 $net | Out-Null
        foreach ($case in @(
                @{ Network = 'none'; Expect = '^lo$' },
                @{ Network = 'bridge'; Expect = 'eth0' },
                @{ Network = $net; Expect = 'eth0' })) {
            $spec = Join-Path $TestDrive "net-$($case.Network).yaml"
            Set-Content $spec "runtime: { network: '$($case.Network)', shutdown: false, ready: { log: '.*', timeout: 5s } }`ncommands:`n  - { name: interfaces, command: [ls, /sys/class/net], stdout: ['$($case.Expect)'] }`n"
            if ($case.Network -eq 'none') { Set-Content $spec "runtime: { network: none, shutdown: false }`ncommands:`n  - { name: interfaces, command: [ls, /sys/class/net], stdout: ['\Alo\s*\z'] }`n" }
            $r = @(Test-DockOptImage $script:roImg -SpecPath $spec -Category Command)
            (Get-Result $r 'Command' 'interfaces').Outcome | Should -Be 'Passed' -Because "$($case.Network): $((Get-Result $r 'Command' 'interfaces').Detail)"
        }
        $spec = Join-Path $TestDrive 'net-addr.yaml'
        Set-Content $spec "runtime: { network: $net, shutdown: false }`ncommands:`n  - { name: address, command: [sh, -c, 'ip -4 addr show eth0'], stdout: ['inet 172\.29\.73\.'] }`n"
        (Get-Result @(Test-DockOptImage $script:roImg -SpecPath $spec -Category Command) 'Command' 'address').Outcome | Should -Be 'Passed'
    }

    It '-Platform checks the image is that platform and creates containers for it' {
        $r = @(Test-DockOptImage $script:roImg -Platform linux/amd64 -Category Metadata)
        (Get-Result $r 'Metadata' 'Platform').Outcome | Should -Be 'Passed'
        $r = @(Test-DockOptImage $script:roImg -Platform linux/arm64 -Category Metadata)
        $p = Get-Result $r 'Metadata' 'Platform'
        $p.Outcome | Should -Be 'Failed'
        $p.Actual | Should -Be 'linux/amd64'
    }
}

Describe 'Test-DockOptImage services' -Tag 'RequiresDocker', 'ImageTestServices' {
    BeforeAll {
        $script:svRepo = New-TestImageName 'dockopt-imagetest-sv'
        # A web server whose /cgi-bin/proxy fetches $UPSTREAM: the app, and the proxy in front of it.
        $proxy = "#!/bin/sh`necho 'Content-Type: text/plain'`necho`nwget -q -O - `"http://`$UPSTREAM/index.html`"`n"
        $script:svImg = New-TestImage -Tag "$($script:svRepo):web" -Files @{ 'proxy' = $proxy } -Dockerfile @'
FROM dockopt/busybox:latest
COPY proxy /www/cgi-bin/proxy
RUN chmod 0755 /www/cgi-bin/proxy && echo "page of $(hostname)" > /dev/null
EXPOSE 8080
ENTRYPOINT ["/bin/sh", "-c", "echo \"served by ${ROLE:-app}\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
'@
        function Get-SvLeftover { @(& docker ps -a -q --filter "label=dockopt.test.image=$($script:svImg)") }
        function Get-SvNetwork { @(& docker network ls -q --filter "label=dockopt.test.image=$($script:svImg)") }
    }
    AfterAll {
        Get-SvLeftover | ForEach-Object { & docker rm -f $_ *> $null }
        Get-SvNetwork | ForEach-Object { & docker network rm $_ *> $null }
        Remove-TestImage $script:svImg
    }

    It 'starts companions on a private network, sends an HTTP check through the proxy to the app, and removes them all' {
        $spec = Join-Path $TestDrive 'services.yaml'
        Set-Content $spec @"
services:
  - name: front
    image: $($script:svImg)
    environment: { ROLE: front, UPSTREAM: 'app:8080' }
    ports: [8080]
    ready: { tcp: true, timeout: 20s }
  - name: cache
    image: dockopt/busybox:latest
    command: [sh, -c, 'echo cache up; exec sleep 300']
    ready: { log: 'cache up' }
runtime:
  shutdown: false
  http:
    - { name: through the proxy, service: front, path: /cgi-bin/proxy, expectBody: 'served by app' }
    - { name: the proxy itself, service: front, path: /index.html, expectBody: 'served by front' }
    - { name: the app directly, path: /index.html, expectBody: 'served by app' }
commands:
  - { name: app reaches a service by name, command: [wget, '-q', '-O', '-', 'http://front:8080/index.html'], stdout: ['served by front'] }
  - { name: cache resolves, command: [nslookup, cache] }
"@
        $r = @(Test-DockOptImage $script:svImg -SpecPath $spec -Category Startup, Http, Command)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
        (Get-Result $r 'Startup' 'Service front ready').Outcome | Should -Be 'Passed'
        (Get-Result $r 'Startup' 'Service cache ready').Outcome | Should -Be 'Passed'
        Get-SvLeftover | Should -BeNullOrEmpty
        Get-SvNetwork | Should -BeNullOrEmpty
    }

    It 'does not start the app when a service never becomes ready, and says which' {
        $spec = Join-Path $TestDrive 'notready.yaml'
        Set-Content $spec "services:`n  - { name: db, image: dockopt/busybox:latest, command: [sleep, '300'], ready: { log: 'never printed', timeout: 2s } }`nruntime: { http: [ { path: / } ] }`n"
        $r = @(Test-DockOptImage $script:svImg -SpecPath $spec -Category Startup, Http)
        $s = Get-Result $r 'Startup' 'Service db ready'
        $s.Outcome | Should -Be 'Failed'
        $s.Message | Should -Match "service 'db' did not become ready"
        @($r | Where-Object Name -EQ 'Starts and becomes ready').Count | Should -Be 0
        (Get-Result $r 'Http' '*').Outcome | Should -Be 'Skipped'
        Get-SvLeftover | Should -BeNullOrEmpty
        Get-SvNetwork | Should -BeNullOrEmpty
    }

    It 'removes the services and their network when the command is stopped (Ctrl+C)' {
        $spec = Join-Path $TestDrive 'ctrlc.yaml'
        Set-Content $spec "services:`n  - { name: slow, image: dockopt/busybox:latest, command: [sleep, '300'], ready: { log: 'never printed', timeout: 60s } }`nruntime: { start: true }`n"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$((Get-DockOptTestModulePath))'; Test-DockOptImage '$($script:svImg)' -SpecPath '$spec'")
            $async = $ps.BeginInvoke()
            $deadline = (Get-Date).AddSeconds(20)
            while (-not (Get-SvLeftover) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-SvLeftover | Should -Not -BeNullOrEmpty -Because 'the service container was started'
            Get-SvNetwork | Should -Not -BeNullOrEmpty
            $ps.Stop()
            Get-SvLeftover | Should -BeNullOrEmpty
            Get-SvNetwork | Should -BeNullOrEmpty
            try { $null = $ps.EndInvoke($async) } catch { }   # let the invocation finish before the runspace is disposed
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Test-DockOptImage goss-style resources' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:gsImg = New-TestImage -Tag "$(New-TestImageName 'dockopt-imagetest-gs'):web" -Dockerfile @'
FROM dockopt/debian:bookworm-slim
RUN echo 'web:x:10001:10002:web:/srv:/usr/sbin/nologin' >> /etc/passwd && echo 'webgrp:x:10002:' >> /etc/group
USER 10001
EXPOSE 8080
ENTRYPOINT ["/usr/bin/perl", "-MIO::Socket::INET", "-e", "$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; $u = IO::Socket::INET->new(LocalPort => 5353, Proto => 'udp') or die; print qq(up\\n); $|=1; while (my $c = $s->accept) { print $c qq(HTTP/1.0 200 OK\\r\\n\\r\\nok\\n); close $c }"]
'@
    }
    AfterAll {
        & docker ps -a -q --filter "label=dockopt.test.image=$($script:gsImg)" | ForEach-Object { & docker rm -f $_ *> $null }
        Remove-TestImage $script:gsImg
    }

    It 'checks users, groups and packages in the image, ports listening and processes running in the app' {
        $spec = Join-Path $TestDrive 'system.yaml'
        Set-Content $spec @'
runtime: { shutdown: false, ready: { log: up } }
system:
  users: [ { name: web, uid: 10001, gid: 10002, home: /srv, shell: /usr/sbin/nologin }, { name: ghost, exists: false } ]
  groups: [ { name: webgrp, gid: 10002 } ]
  packages: [ perl-base, { name: dash, version: '^0\.5' }, { name: nginx, installed: false } ]
  ports: [ 8080, udp/5353, { name: 9999, listening: false } ]
  processes: [ perl, { name: nginx, running: false } ]
'@
        $r = @(Test-DockOptImage $script:gsImg -SpecPath $spec -Category Files, Startup)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message)" }
        (Get-Result $r 'Startup' 'Port 8080/tcp listening').Message | Should -Match 'Read from'
        (Get-Result $r 'Startup' 'Port 5353/udp listening').Outcome | Should -Be 'Passed'
        (Get-Result $r 'Files' 'Package dash installed').Actual | Should -Match '^0\.5.* \(dpkg\)$'
        @($r | Where-Object Category -EQ 'Files').Count | Should -Be 11
    }

    It 'fails what is not there, naming what is' {
        $spec = Join-Path $TestDrive 'system-bad.yaml'
        Set-Content $spec "runtime: { shutdown: false, ready: { log: up } }`nsystem:`n  users: [nobody2]`n  packages: [nginx]`n  ports: [9090]`n  processes: [nginx]`n"
        $r = @(Test-DockOptImage $script:gsImg -SpecPath $spec -Category Files, Startup)
        (Get-Result $r 'Files' 'User nobody2 exists').Outcome | Should -Be 'Failed'
        (Get-Result $r 'Files' 'Package nginx installed').Actual | Should -Match 'not installed \(\d+ dpkg packages\)'
        $p = Get-Result $r 'Startup' 'Port 9090/tcp listening'
        $p.Outcome | Should -Be 'Failed'
        $p.Message | Should -Match '8080/tcp'
        (Get-Result $r 'Startup' 'Process nginx running').Message | Should -Match 'perl'
    }
}

Describe 'Test-DockOptImage services: nginx in front of the Flask API' -Tag 'RequiresDocker', 'ImageTestServices' {
    BeforeAll {
        $script:api = 'dockopt-demo/flask-api:multi-stage'
        $script:haveApi = [bool](& docker image ls -q $script:api)
        $script:nginx = $null
        if ($script:haveApi) {
            # nginx from Debian's package, passing everything to the API, which is 'app' on the run's private network.
            # Services start before the app, so nginx resolves 'app' per request (docker's DNS), not at startup.
            $conf = "events {}`nhttp {`n  access_log /dev/stdout;`n  resolver 127.0.0.11 valid=5s;`n  server {`n    listen 8080;`n    location / { set `$up http://app:5000; proxy_pass `$up; }`n  }`n}`n"
            try {
                $script:nginx = New-TestImage -Tag "$(New-TestImageName 'dockopt-imagetest-nginx'):1" -Files @{ 'nginx.conf' = $conf } -Dockerfile @'
FROM dockopt/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/*
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
'@
            }
            catch { $script:nginxError = "$_" }
        }
    }
    AfterAll {
        if ($script:nginx -or $script:plainNginx) {
            & docker ps -a -q --filter "label=dockopt.test.image=$($script:api)" | ForEach-Object { & docker rm -f $_ *> $null }
        }
        if ($script:nginx) { Remove-TestImage $script:nginx }
        if ($script:plainNginx) { Remove-TestImage $script:plainNginx }
    }

    Context 'a proxy that starts after the app (after: app)' {
        BeforeAll {
            $script:plainNginx = $null
            if ($script:haveApi) {
                # The plain configuration people write: nginx resolves 'app' when it starts (no resolver, no variable).
                $plain = "events {}`nhttp {`n  access_log /dev/stdout;`n  server {`n    listen 80;`n    location / { proxy_pass http://app:5000; }`n  }`n}`n"
                try {
                    $script:plainNginx = New-TestImage -Tag "$(New-TestImageName 'e-imagetest-nginx-plain'):1" -Files @{ 'nginx.conf' = $plain } -Dockerfile @'
FROM dockopt/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/*
COPY nginx.conf /etc/nginx/nginx.conf
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
'@
                }
                catch { $script:plainNginxError = "$_" }
            }
            # The example spec, with the proxy image it names replaced by the one built here.
            $script:exampleSpec = Get-Content -Raw (Join-Path $PSScriptRoot '../examples/image-test-specs/api-behind-proxy.yaml')
        }

        It 'runs examples/image-test-specs/api-behind-proxy.yaml: nginx starts once the app is ready, and every check passes' {
            if (-not $script:haveApi) { Set-ItResult -Skipped -Because "$($script:api) is not built (run ./build.ps1 Demo)"; return }
            if (-not $script:plainNginx) { Set-ItResult -Skipped -Because "the nginx image could not be built here (apt): $($script:plainNginxError)"; return }
            $script:exampleSpec | Should -Match '(?m)^\s+after: app\s*$'
            $spec = Join-Path $TestDrive 'api-behind-proxy.yaml'
            Set-Content $spec ($script:exampleSpec -replace 'image: flask-api-proxy:1', "image: '$($script:plainNginx)'")
            $r = @(Test-DockOptImage $script:api -SpecPath $spec)
            $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
            $names = @($r | ForEach-Object { "$($_.Category)/$($_.Name)" })
            $app = $names.IndexOf('Startup/Starts and becomes ready')
            $proxy = $names.IndexOf('Startup/Service proxy ready')
            $app | Should -BeGreaterOrEqual 0
            $proxy | Should -BeGreaterThan $app -Because 'the proxy is started once the app is ready'
            (Get-Result $r 'Startup' 'Service proxy ready').Expected | Should -Match 'after the app'
            (Get-Result $r 'Http' 'health through the proxy').Outcome | Should -Be 'Passed'
            @(& docker ps -a -q --filter "label=dockopt.test.image=$($script:api)").Count | Should -Be 0
            @(& docker network ls -q --filter "label=dockopt.test.image=$($script:api)").Count | Should -Be 0
        }

        It 'the same nginx started before the app cannot resolve it and does not start: the order is what makes it work' {
            if (-not $script:haveApi) { Set-ItResult -Skipped -Because "$($script:api) is not built (run ./build.ps1 Demo)"; return }
            if (-not $script:plainNginx) { Set-ItResult -Skipped -Because "the nginx image could not be built here (apt): $($script:plainNginxError)"; return }
            $spec = Join-Path $TestDrive 'proxy-first.yaml'
            Set-Content $spec "services:`n  - { name: proxy, image: '$($script:plainNginx)', ports: [80], ready: { tcp: true, timeout: 15s } }`nruntime:`n  ready: { http: /health, timeout: 60s }`n  http:`n    - { name: through nginx, service: proxy, path: /health, status: [200] }`n"
            $r = @(Test-DockOptImage $script:api -SpecPath $spec -Category Startup, Http)
            $s = Get-Result $r 'Startup' 'Service proxy ready'
            $s.Outcome | Should -Be 'Failed'
            $s.Message | Should -Match 'so the app was not started'
            (Get-Result $r 'Http' 'through nginx').Outcome | Should -Be 'Skipped'
            @(& docker ps -a -q --filter "label=dockopt.test.image=$($script:api)").Count | Should -Be 0
        }
    }

    It 'checks the API through nginx (built from Debian''s nginx package) and directly, then removes both' {
        if (-not $script:haveApi) { Set-ItResult -Skipped -Because "$($script:api) is not built (run ./build.ps1 Bootstrap)"; return }
        if (-not $script:nginx) { Set-ItResult -Skipped -Because "the nginx image could not be built here (apt): $($script:nginxError)"; return }
        $spec = Join-Path $TestDrive 'proxy.yaml'
        Set-Content $spec @"
services:
  - { name: proxy, image: '$($script:nginx)', ports: [8080], ready: { tcp: true, timeout: 30s } }
runtime:
  ready: { http: /health, timeout: 60s }
  http:
    - { name: health through nginx, service: proxy, path: /health, status: [200], expectHeaders: { Server: nginx } }
    - { name: info through nginx, service: proxy, path: /info, status: [200] }
    - { name: health direct, path: /health, status: [200] }
system:
  processes: [python3]
  ports: [5000]
"@
        $r = @(Test-DockOptImage $script:api -SpecPath $spec -Category Startup, Http, Shutdown)
        $r | ForEach-Object { $_.Outcome | Should -Be 'Passed' -Because "$($_.Category)/$($_.Name): $($_.Actual) $($_.Message) $($_.Detail)" }
        (Get-Result $r 'Startup' 'Service proxy ready').Outcome | Should -Be 'Passed'
        @(& docker ps -a -q --filter "label=dockopt.test.image=$($script:api)").Count | Should -Be 0
        @(& docker network ls -q --filter "label=dockopt.test.image=$($script:api)").Count | Should -Be 0
    }
}

Describe 'Test-DockOptImage reports: Json and Sarif by -Format or the -OutFile extension' -Tag 'RequiresDocker', 'ImageTestReports' {
    BeforeAll {
        $script:repSpec = Join-Path $TestDrive 'report.yaml'
        Set-Content $script:repSpec "metadata:`n  nonRoot: true`nfiles:`n  - { path: /bin/busybox, exists: true }`n  - { path: /etc/dockopt-not-here, exists: true }`n"
        $script:repArgs = @{ Name = 'dockopt/busybox:latest'; SpecPath = $script:repSpec; Category = 'Metadata', 'Files' }
        function script:Key($Category, $Name) { "$Category/$Name" }
    }

    It 'writes Json from the .json extension, and the objects still come: every outcome round-trips' {
        $file = Join-Path $TestDrive 'image-tests.json'
        $objects = @(Test-DockOptImage @script:repArgs -OutFile $file)
        $objects | ForEach-Object { $_ | Should -BeOfType ([DockOpt.ImageTestResult]) }
        @($objects | Where-Object Outcome -EQ 'Passed').Count | Should -BeGreaterThan 0
        @($objects | Where-Object Outcome -EQ 'Failed').Count | Should -BeGreaterThan 0
        $j = Get-Content -Raw $file | ConvertFrom-Json
        $j.total | Should -Be $objects.Count
        $j.failed | Should -Be @($objects | Where-Object Outcome -EQ 'Failed').Count
        $j.images.Count | Should -Be 1
        $j.images[0].image | Should -Be 'dockopt/busybox:latest'
        @($j.images[0].checks | ForEach-Object { "$(Key $_.category $_.name)=$($_.outcome)" }) |
            Should -Be @($objects | ForEach-Object { "$(Key $_.Category $_.Name)=$($_.Outcome)" })
    }

    It 'writes Sarif 2.1.0 from the .sarif extension: one result per check, kind from the outcome' {
        $file = Join-Path $TestDrive 'image-tests.sarif'
        $objects = @(Test-DockOptImage @script:repArgs -OutFile $file)
        $s = Get-Content -Raw $file | ConvertFrom-Json
        $s.version | Should -Be '2.1.0'
        $s.'$schema' | Should -Match 'sarif-2\.1\.0'
        $results = @($s.runs[0].results)
        $results.Count | Should -Be $objects.Count
        for ($i = 0; $i -lt $objects.Count; $i++) {
            $results[$i].properties.outcome | Should -Be "$($objects[$i].Outcome)"
            $results[$i].kind | Should -Be $(switch ("$($objects[$i].Outcome)") { 'Passed' { 'pass' } 'Skipped' { 'notApplicable' } default { 'fail' } })
        }
        $missing = $results | Where-Object { $_.message.text -match 'dockopt-not-here' }
        $missing.locations[0].physicalLocation.artifactLocation.uri | Should -Be 'etc/dockopt-not-here'
    }

    It '-Format <Format> without -OutFile writes the report text to the pipeline instead of the objects' -ForEach @(
        @{ Format = 'Json' }
        @{ Format = 'Sarif' }
    ) {
        $out = @(Test-DockOptImage @script:repArgs -Format $Format)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType ([string])
        $doc = $out[0] | ConvertFrom-Json
        if ($Format -eq 'Sarif') { $doc.version | Should -Be '2.1.0' } else { $doc.images[0].checks.Count | Should -Be $doc.total }
    }

    It '-Format wins over the extension; an extension that names no format fails before any work with ReportFormatUnknown' {
        $file = Join-Path $TestDrive 'tests.out'
        $null = Test-DockOptImage @script:repArgs -Format Sarif -OutFile $file
        (Get-Content -Raw $file | ConvertFrom-Json).version | Should -Be '2.1.0'
        $bad = Join-Path $TestDrive 'tests.txt'
        { Test-DockOptImage @script:repArgs -OutFile $bad } | Should -Throw -ErrorId 'ReportFormatUnknown,DockOpt.Cmdlets.TestDockOptImageCommand'
        Test-Path $bad | Should -BeFalse
    }
}

Describe 'Package checks and the inventory on a distroless layout (/var/lib/dpkg/status.d)' -Tag 'RequiresDocker', 'ImageTestDistroless' {
    BeforeAll {
        # FROM scratch with distroless's package database and os-release (test data made as distroless's build makes it:
        # tests/DockOpt.Engine.Tests/Testing/Data/distroless/README.md); no /var/lib/dpkg/status, no shell.
        $data = Join-Path $PSScriptRoot 'DockOpt.Engine.Tests/Testing/Data/distroless'
        $files = @{}
        foreach ($f in Get-ChildItem -Recurse -File $data | Where-Object Name -NE 'README.md') {
            $files['rootfs/' + [IO.Path]::GetRelativePath($data, $f.FullName).Replace('\', '/')] = Get-Content -Raw $f.FullName
        }
        $script:distroless = New-TestImage -Tag "$(New-TestImageName 'e-imagetest-distroless'):1" -Files $files -Dockerfile @'
FROM dockopt/busybox:latest AS layout
COPY rootfs/ /rootfs/
RUN mkdir -p /rootfs/etc && ln -s ../usr/lib/os-release /rootfs/etc/os-release
FROM scratch
COPY --from=layout /rootfs/ /
'@
        $script:statusD = Join-Path $data 'var/lib/dpkg/status.d'
        function script:VersionOf([string] $Package) { ((Get-Content (Join-Path $script:statusD $Package)) -match '^Version: ' | Select-Object -First 1).Substring(9) }
    }
    AfterAll { Remove-TestImage $script:distroless }

    It 'has no /var/lib/dpkg/status, only status.d (the layout under test)' {
        $cid = & docker create $script:distroless /none
        try {
            & docker cp "$($cid):/var/lib/dpkg/status" - *> $null
            $LASTEXITCODE | Should -Not -Be 0
            @(& docker cp "$($cid):/var/lib/dpkg/status.d" - | tar -t) | Should -Contain 'status.d/libc6'
        }
        finally { & docker rm -f $cid *> $null }
    }

    It 'Test-DockOptImage package checks read status.d: installed, versions, absent packages' {
        $spec = Join-Path $TestDrive 'distroless.yaml'
        Set-Content $spec "system:`n  packages:`n    - libc6`n    - { name: libssl3, version: '^3\.0\.' }`n    - { name: bash, installed: false }`n    - nginx`n"
        $r = @(Test-DockOptImage $script:distroless -SpecPath $spec -Category Files)
        (Get-Result $r 'Files' 'Package libc6 installed').Actual | Should -Be "$(VersionOf libc6) (dpkg status.d)"
        (Get-Result $r 'Files' 'Package libssl3 installed').Outcome | Should -Be 'Passed'
        (Get-Result $r 'Files' 'Package bash not installed').Outcome | Should -Be 'Passed'
        $n = Get-Result $r 'Files' 'Package nginx installed'
        $n.Outcome | Should -Be 'Failed'
        $n.Actual | Should -Be 'not installed (4 dpkg status.d packages)'
    }

    It 'Get-DockOptPackage lists the same packages, with the Debian release from os-release' {
        $p = @(Get-DockOptPackage $script:distroless | Where-Object Type -EQ 'deb')
        @($p.Name | Sort-Object) | Should -Be @('base-files', 'libc6', 'libssl3', 'netbase')
        foreach ($x in $p) {
            $x.Version | Should -Be (VersionOf $x.Name)
            $x.Path | Should -Be "var/lib/dpkg/status.d/$($x.Name)"   # the inventory's paths have no leading /
        }
        ($p | Where-Object Name -EQ 'libc6').SourceName | Should -Be 'glibc'
        ($p | Where-Object Name -EQ 'libc6').Purl | Should -Match '^pkg:deb/debian/libc6@.*distro=debian-12'
    }
}
