# Issue 18 items 4, 5 and 7 (engine side): every cmdlet that talks to an engine, driven against an engine STAND-IN
# (tests/tools/engine-standin.py: a python http.server on 127.0.0.1 that answers /_ping like an engine and then answers
# garbage, stalls or drops the connection). Only catalogued ErrorIds (constants of DockOpt.ErrorIds, read by reflection)
# may come out, and nothing may hang.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    $script:catalogue = [DockOpt.ErrorIds].GetFields([Reflection.BindingFlags]'Public,Static') |
        Where-Object { $_.IsLiteral } | ForEach-Object { $_.GetRawConstantValue() }
    $script:python = (Get-Command python3 -ErrorAction SilentlyContinue).Source
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "dockopt-h12-faults-$PID"
    $null = New-Item -ItemType Directory -Force (Join-Path $script:work 'ctx')
    Set-Content (Join-Path $script:work 'ctx/Dockerfile') "FROM scratch`nCOPY a.txt /a.txt`n"
    Set-Content (Join-Path $script:work 'ctx/a.txt') 'a'
    Set-Content (Join-Path $script:work 'spec.yaml') "schemaVersion: '2.0.0'`nfileExistenceTests:`n  - name: a`n    path: /a.txt`n    shouldExist: true`n"

    function Start-EngineStandIn([string] $Mode) {
        $portFile = Join-Path $script:work "port-$Mode"
        Remove-Item $portFile -ErrorAction SilentlyContinue
        $p = Start-Process -FilePath $script:python -ArgumentList @((Join-Path $PSScriptRoot 'tools/engine-standin.py'), $Mode, $portFile) -PassThru
        $deadline = (Get-Date).AddSeconds(10)
        while (-not (Test-Path $portFile) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        [pscustomobject]@{ Process = $p; Engine = "tcp://127.0.0.1:$(Get-Content $portFile)" }
    }

    # One call per cmdlet that takes -Engine, with inputs that get it as far as the engine.
    $script:calls = [ordered]@{
        'Get-DockOptImage'                   = @{}
        'Get-DockOptPackage'                 = @{ Name = 'h12-app:1' }
        'Invoke-DockOptScan'                 = @{ Name = 'h12-app:1' }
        'Measure-DockOptImage'               = @{ Name = 'h12-app:1' }
        'Compare-DockOptImage'               = @{ ReferenceImage = 'h12-app:1'; DifferenceImage = 'h12-app:2' }
        'Invoke-DockOptBuild'                = @{ Path = (Join-Path $script:work 'ctx'); Tag = 'h12-app:1' }
        'Publish-DockOptImage'               = @{ Name = 'h12-app:1'; Destination = '127.0.0.1:5999/h12/app'; Tag = '1' }
        'Test-DockOptImage'                  = @{ Name = 'h12-app:1'; SpecPath = (Join-Path $script:work 'spec.yaml') }
        'Update-DockOptVulnerabilityDatabase' = @{ Name = 'h12-app:1'; Path = (Join-Path $script:work 'vulndb') }
    }

    function Invoke-AgainstStandIn([string] $Command, [hashtable] $Arguments, [string] $Engine) {
        $errors = [System.Collections.Generic.List[object]]::new()
        $sw = [Diagnostics.Stopwatch]::StartNew()
        try {
            $ev = $null
            $extra = @{}
            if ((Get-Command $Command).Parameters.ContainsKey('Confirm')) { $extra.Confirm = $false }
            $null = & $Command @Arguments @extra -Engine $Engine -ErrorAction SilentlyContinue -ErrorVariable ev -WarningAction SilentlyContinue 6>$null
            foreach ($e in $ev) { $errors.Add($e) }
        }
        catch { $errors.Add($_) }
        [pscustomobject]@{
            Seconds = $sw.Elapsed.TotalSeconds
            Ids     = @($errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
            Raw     = @($errors | Where-Object { $_.Exception -isnot [DockOpt.DockOptException] } | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.GetType().FullName): $($_.Exception.Message)" })
        }
    }
}

AfterAll { Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue }

Describe 'Engine faults against an engine stand-in (not a Docker engine)' {
    It 'covers every exported cmdlet that takes -Engine' {
        $withEngine = Get-Command -Module DockOpt -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('Engine') } | ForEach-Object Name
        @($withEngine | Where-Object { -not $script:calls.Contains($_) }) | Should -BeNullOrEmpty
    }

    It 'the stand-in answering <Mode> makes every cmdlet end with catalogued ErrorIds only, within bounded time' -Skip:(-not (Get-Command python3 -ErrorAction SilentlyContinue)) -TestCases @(
        @{ Mode = 'invalid' }, @{ Mode = 'shape' }, @{ Mode = 'drop' }, @{ Mode = 'stall' }
    ) {
        param($Mode)
        $saved = $env:DOCKOPT_ENGINE_TIMEOUT, $env:DOCKOPT_ENGINE_IDLE_TIMEOUT
        $env:DOCKOPT_ENGINE_TIMEOUT = '2s'; $env:DOCKOPT_ENGINE_IDLE_TIMEOUT = '3s'
        $standIn = Start-EngineStandIn $Mode
        try {
            $report = foreach ($name in $script:calls.Keys) {
                $r = Invoke-AgainstStandIn $name $script:calls[$name] $standIn.Engine
                [pscustomobject]@{ Command = $name; Seconds = [math]::Round($r.Seconds, 1); Ids = $r.Ids -join ' '; Raw = $r.Raw -join ' | '
                    Uncatalogued = @($r.Ids | Where-Object { $_ -notin $script:catalogue }) -join ' ' }
            }
            $report | Format-Table -AutoSize | Out-String -Width 300 | Write-Host
            @($report | Where-Object Raw) | ForEach-Object { "$($_.Command): $($_.Raw)" } | Should -BeNullOrEmpty
            @($report | Where-Object Uncatalogued) | ForEach-Object { "$($_.Command): $($_.Uncatalogued)" } | Should -BeNullOrEmpty
            # every cmdlet reached the stand-in and failed (none pretended success)
            @($report | Where-Object { -not $_.Ids }) | ForEach-Object Command | Should -BeNullOrEmpty
            @($report | Where-Object { $_.Seconds -gt 20 }) | ForEach-Object { "$($_.Command) took $($_.Seconds) s" } | Should -BeNullOrEmpty
        }
        finally {
            Stop-Process -Id $standIn.Process.Id -ErrorAction SilentlyContinue
            $env:DOCKOPT_ENGINE_TIMEOUT, $env:DOCKOPT_ENGINE_IDLE_TIMEOUT = $saved
        }
    }

    It 'a stalled engine ends a bounded request with EngineTimeout after DOCKOPT_ENGINE_TIMEOUT' -Skip:(-not (Get-Command python3 -ErrorAction SilentlyContinue)) {
        $saved = $env:DOCKOPT_ENGINE_TIMEOUT
        $env:DOCKOPT_ENGINE_TIMEOUT = '2s'
        $standIn = Start-EngineStandIn 'stall'
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            { Get-DockOptImage -Engine $standIn.Engine -ErrorAction Stop } | Should -Throw -ErrorId 'EngineTimeout,DockOpt.Cmdlets.GetDockOptImageCommand'
            $sw.Elapsed.TotalSeconds | Should -BeGreaterThan 1.5
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
        }
        finally { Stop-Process -Id $standIn.Process.Id -ErrorAction SilentlyContinue; $env:DOCKOPT_ENGINE_TIMEOUT = $saved }
    }

    It 'a timeout variable that is no duration is EngineTimeoutInvalid' -Skip:(-not (Get-Command python3 -ErrorAction SilentlyContinue)) {
        $saved = $env:DOCKOPT_ENGINE_TIMEOUT
        $env:DOCKOPT_ENGINE_TIMEOUT = 'soon'
        $standIn = Start-EngineStandIn 'invalid'
        try {
            { Get-DockOptImage -Engine $standIn.Engine -ErrorAction Stop } | Should -Throw -ErrorId 'EngineTimeoutInvalid,DockOpt.Cmdlets.GetDockOptImageCommand'
        }
        finally { Stop-Process -Id $standIn.Process.Id -ErrorAction SilentlyContinue; $env:DOCKOPT_ENGINE_TIMEOUT = $saved }
    }
}

Describe 'Image names are checked once, before the engine' {
    It '<Command> refuses a malformed name with InvalidImageReference, without asking the engine' -TestCases @(
        @{ Command = 'Invoke-DockOptScan'; Arguments = @{ Name = 'UPPER/Case:1' } }
        @{ Command = 'Get-DockOptPackage'; Arguments = @{ Name = 'app::1' } }
        @{ Command = 'Measure-DockOptImage'; Arguments = @{ Name = 'bad name' } }
        @{ Command = 'Compare-DockOptImage'; Arguments = @{ ReferenceImage = 'ok:1'; DifferenceImage = 'x@sha256:123' } }
    ) {
        param($Command, $Arguments)
        # an endpoint nobody listens on: reaching the engine would be EngineUnreachable, not InvalidImageReference
        $ev = $null
        try { $null = & $Command @Arguments -Engine 'tcp://127.0.0.1:9' -ErrorAction SilentlyContinue -ErrorVariable ev } catch { $ev = @($_) }
        $ids = @($ev | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] })
        $ids | Should -Contain 'InvalidImageReference'
        $ids | Should -Not -Contain 'EngineUnreachable'
        $ids | Should -Not -Contain 'EngineBadRequest'
        $ids | Should -Not -Contain 'ImageNotFound'
    }

    It 'a missing socket reads clearly' {
        { Get-DockOptImage -Engine 'unix:///nonexistent-h12/docker.sock' -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*there is no socket at '/nonexistent-h12/docker.sock'*" -ErrorId 'EngineUnreachable,DockOpt.Cmdlets.GetDockOptImageCommand'
    }
}
