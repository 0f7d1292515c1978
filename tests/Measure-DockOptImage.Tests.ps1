BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force

    # Sum of regular-file bytes in 'docker export' of a container created (not started) from the image.
    function Get-ExportRegularBytes([string] $Image) {
        $cid = (& docker create $Image /bin/true)
        if ($LASTEXITCODE -ne 0) { throw "docker create failed for $Image" }
        $tmp = [IO.Path]::GetTempFileName()
        try {
            & docker export -o $tmp $cid
            if ($LASTEXITCODE -ne 0) { throw "docker export failed" }
            $fs = [IO.File]::OpenRead($tmp)
            try {
                $r = [System.Formats.Tar.TarReader]::new($fs)
                [long] $sum = 0
                while ($null -ne ($e = $r.GetNextEntry($false))) {
                    if ($e.EntryType -in 'RegularFile', 'V7RegularFile') { $sum += $e.Length }
                }
                return $sum
            } finally { $fs.Dispose() }
        } finally {
            Remove-Item $tmp -Force
            & docker rm -f $cid *> $null
        }
    }

    # Layer sizes in bytes as docker history reports them, oldest first.
    function Get-HistorySizes([string] $Image) {
        $rows = @(& docker history -H=false --no-trunc --format '{{.Size}}' $Image)
        [array]::Reverse($rows)
        return [long[]] $rows
    }
}

Describe 'Measure-DockOptImage accounting' -Tag 'RequiresDocker' {
    BeforeAll {
        # Known waste, every figure follows from the byte counts below.
        $script:img = New-TestImage -Tag ((New-TestImageName 'dockopt-analysis') + ':waste') -Dockerfile @'
FROM dockopt/busybox:latest
RUN head -c 100000 /dev/urandom > /deleted.bin && head -c 20000 /dev/urandom > /over.bin && head -c 30000 /dev/urandom > /chmod.bin && head -c 40000 /dev/urandom > /dup1.bin && cp /dup1.bin /dup2.bin && mkdir -p /opq && head -c 50000 /dev/urandom > /opq/old.bin && head -c 7000 /dev/urandom > /same.bin
RUN rm /deleted.bin && head -c 25000 /dev/urandom > /over.bin && chmod 600 /chmod.bin && touch /same.bin && rm -rf /opq && mkdir /opq && echo hi > /opq/new
ENV MODE=test
'@
        $script:a = Measure-DockOptImage -Name $script:img
        $script:busybox = Measure-DockOptImage -Name dockopt/busybox:latest
    }
    AfterAll { Remove-TestImage $script:img }

    It 'emits one DockOpt.ImageAnalysis with a history row per entry (empty ENV row included)' {
        $script:a | Should -BeOfType ([DockOpt.ImageAnalysis])
        $script:a.Layers.Count | Should -Be 4
        $script:a.LayerCount | Should -Be 3
        $script:a.Layers[3].IsEmpty | Should -BeTrue
        $script:a.Layers[3].Size | Should -Be 0
        $script:a.Layers[3].CreatedBy | Should -Match 'ENV MODE=test'
    }

    It 'reports layer sizes equal to docker history, and TotalSize as their sum' {
        $hist = Get-HistorySizes $script:img
        @($script:a.Layers.Size) | Should -Be $hist
        $script:a.TotalSize | Should -Be ($hist | Measure-Object -Sum).Sum
        @($script:a.Layers | Where-Object { -not $_.IsEmpty } | ForEach-Object DiffId) | Should -Be @(& docker image inspect $script:img --format '{{range .RootFS.Layers}}{{println .}}{{end}}' | Where-Object { $_ })
    }

    It 'reports FinalSize equal to the regular-file bytes of docker export' {
        $script:a.FinalSize | Should -Be (Get-ExportRegularBytes $script:img)
        # and the expected arithmetic: busybox plus the files that stay visible
        $script:a.FinalSize | Should -Be ($script:busybox.FinalSize + 25000 + 30000 + 40000 + 40000 + 7000 + 3)
    }

    It 'accounts each layer: added, modified, removed files and bytes' {
        $l1 = $script:a.Layers[1]
        $l1.Size | Should -Be 287000
        $l1.FilesAdded | Should -Be 7
        $l1.BytesAdded | Should -Be 287000
        $l1.FilesModified | Should -Be 0
        $l2 = $script:a.Layers[2]
        $l2.Size | Should -Be (25000 + 30000 + 7000 + 3)
        $l2.FilesAdded | Should -Be 1
        $l2.BytesAdded | Should -Be 3
        $l2.FilesModified | Should -Be 3
        $l2.BytesOverwritten | Should -Be (20000 + 30000 + 7000)
        $l2.FilesRemoved | Should -Be 2
        $l2.BytesDeleted | Should -Be (100000 + 50000)
        $l1.ReclaimableBytes | Should -Be 207000
    }

    It 'lists every wasted copy once with its cause, largest first, never the kept copy' {
        $w = $script:a.Waste
        @($w.Path) | Should -Be @('/deleted.bin', '/opq/old.bin', '/chmod.bin', '/over.bin', '/same.bin')
        @($w.Bytes) | Should -Be @(100000, 50000, 30000, 20000, 7000)
        @($w.Cause | ForEach-Object ToString) | Should -Be @('DeletedLater', 'HiddenByOpaqueDirectory', 'MetadataOnlyRewrite', 'Overwritten', 'OverwrittenWithIdenticalContent')
        $w | ForEach-Object { $_.Layer | Should -Be 1; $_.HiddenByLayer | Should -Be 2 }
        $script:a.ReclaimableBytes | Should -Be 207000
        $script:a.Efficiency | Should -Be ([math]::Round(1 - 207000 / $script:a.TotalSize, 6))
    }

    It 'finds identical content at two paths' {
        $script:a.DuplicateBytes | Should -Be 40000
        $g = $script:a.Duplicates | Where-Object { $_.Paths -contains '/dup1.bin' }
        $g.Paths | Should -Be @('/dup1.bin', '/dup2.bin')
        $g.Size | Should -Be 40000
    }

    It 'computes dive''s efficiency with dive''s formula (min copy kept, file whiteouts weigh 0, opaque ignored)' {
        $base = $script:busybox.FinalSize        # busybox: every path once
        $sumC = $base + 287000 + (0 + 25000 + 30000 + 7000 + 3)
        $sumM = $sumC - (100000 + 25000 + 30000 + 7000)
        $script:a.DiveEfficiency | Should -Be ([math]::Round($sumM / $sumC, 6))
        $script:a.DiveWastedBytes | Should -Be (100000 + 45000 + 60000 + 14000)
    }

    It 'finds the base layers from the history boundary and counts own layers only in UserWastedPercent' {
        $script:a.BaseLayerSource | Should -Be 'History'
        $script:a.BaseImage | Should -Be 'dockopt/busybox:latest'
        $script:a.BaseLayerCount | Should -Be 1
        $script:a.Layers[0].IsBaseLayer | Should -BeTrue
        $script:a.OwnSize | Should -Be (287000 + 62003)
        $script:a.UserWastedPercent | Should -Be ([math]::Round(100 * 207000 / 349003, 4))
    }

    It 'takes the base from -BaseImage' {
        $b = Measure-DockOptImage $script:img -BaseImage dockopt/busybox:latest
        $b.BaseLayerSource | Should -Be 'BaseImage'
        $b.BaseLayerCount | Should -Be 1
    }

    It 'scores with the published deductions' {
        $script:a.Score | Should -Be ([math]::Max(0, 100 - ($script:a.Recommendations | Measure-Object ScoreDeduction -Sum).Sum))
        $ids = @($script:a.Recommendations.Id)
        $ids | Should -Contain 'DOA001'   # reclaimable bytes
        $ids | Should -Contain 'DOA009'   # root user
        $ids | Should -Contain 'DOA010'   # no healthcheck
        ($script:a.Recommendations | Where-Object Id -eq 'DOA001').ScoreDeduction | Should -Be ([math]::Ceiling(100 * 207000 / $script:a.TotalSize))
        ($script:a.Recommendations | Where-Object Id -eq 'DOA001').EstimatedSavingsBytes | Should -Be 207000
    }

    It 'reuses cached layers: a second run of the same image needs no export, an image sharing the base parses only its own layers' {
        $again = Measure-DockOptImage $script:img
        $again.CachedLayers | Should -Be 3
        $again.ReclaimableBytes | Should -Be $script:a.ReclaimableBytes
        $again.FinalSize | Should -Be $script:a.FinalSize
        $other = New-TestImage -Tag ((New-TestImageName 'dockopt-analysis') + ':other') -Dockerfile "FROM dockopt/busybox:latest`nRUN echo other > /other.txt"
        try {
            $o = Measure-DockOptImage $other
            $o.CachedLayers | Should -Be 1
            $o.Layers[0].FromCache | Should -BeTrue
            $o.Layers[1].FromCache | Should -BeFalse
            $o.FinalSize | Should -Be (Get-ExportRegularBytes $other)
            (Measure-DockOptImage $other -NoLayerCache).CachedLayers | Should -Be 0
        } finally { Remove-TestImage $other }
    }

    It 'reads the same figures from a docker save archive' {
        $tar = Join-Path ([IO.Path]::GetTempPath()) "$(New-TestImageName 'dockopt-analysis').tar"
        & docker save -o $tar $script:img
        try {
            $x = Measure-DockOptImage -Path $tar -NoLayerCache
            $x.Source | Should -Be "docker-archive:$tar"
            $x.TotalSize | Should -Be $script:a.TotalSize
            $x.FinalSize | Should -Be $script:a.FinalSize
            $x.ReclaimableBytes | Should -Be $script:a.ReclaimableBytes
            $x.ImageId | Should -Be (& docker image inspect $script:img --format '{{.Id}}')
        } finally { Remove-Item $tar -Force }
    }
}

Describe 'Measure-DockOptImage on a real base image' -Tag 'RequiresDocker' {
    It 'matches docker history and docker export for dockopt/python:3.11-slim' {
        $p = Measure-DockOptImage dockopt/python:3.11-slim
        @($p.Layers.Size) | Should -Be (Get-HistorySizes dockopt/python:3.11-slim)
        $p.FinalSize | Should -Be (Get-ExportRegularBytes dockopt/python:3.11-slim)
        $p.FileCount | Should -BeGreaterThan 1000
    }
}

Describe 'Measure-DockOptImage profiles: base images and applications' -Tag 'RequiresDocker' {
    BeforeAll {
        # The Flask example's single-stage image, built as Examples.Tests.ps1 and the demo build it (cached after the first time).
        $script:flaskError = $null
        $script:flask = 'dockopt-examples/flask-api:single-stage'
        $ctx = Join-Path $PSScriptRoot '../examples/flask-api'
        try {
            $null = Invoke-DockOptBuild -Path $ctx -Dockerfile (Join-Path $ctx 'Dockerfile.single-stage') -Tag $script:flask -BuildArg @{ BASE_IMAGE = 'dockopt/python:3.11' } -ErrorAction Stop
        }
        catch { $script:flaskError = "$_" }
    }

    It '<Image>: judged a Base (CMD <Cmd>), scores 90 or more; root and no HEALTHCHECK listed as Info, not deducted' -ForEach @(
        @{ Image = 'dockopt/debian:bookworm-slim'; Cmd = 'bash' }
        @{ Image = 'dockopt/python:3.11-slim'; Cmd = 'python3' }
    ) {
        (& docker image inspect $Image --format '{{json .Config.Cmd}}{{json .Config.Entrypoint}}') | Should -Be "[`"$Cmd`"]null"
        $a = Measure-DockOptImage $Image
        $a.Profile | Should -Be 'Base'
        $a.ProfileReason | Should -Match ([regex]::Escape("CMD [`"$Cmd`"]"))
        $a.Score | Should -BeGreaterOrEqual 90
        $a.Score | Should -Be (100 - ($a.Recommendations | Measure-Object ScoreDeduction -Sum).Sum)
        foreach ($id in 'DOA009', 'DOA010') {
            $r = $a.Recommendations | Where-Object Id -EQ $id
            $r | Should -Not -BeNullOrEmpty -Because "$id is still listed on a base"
            $r.ScoreDeduction | Should -Be 0
            $r.Severity | Should -Be 'Info'
        }
        # The same image judged an Application pays for both.
        $app = Measure-DockOptImage $Image -Profile Application
        ($app.Profile, $app.ProfileReason) | Should -Be @('Application', '-Profile Application')
        $app.Score | Should -Be ($a.Score - 15)
    }

    It 'does not count the copyright files dockopt/python:3.11-slim keeps under /usr/share/doc (DOA013)' {
        $copyright = @(& docker run --rm --entrypoint find dockopt/python:3.11-slim /usr/share/doc -name copyright -type f)
        $copyright.Count | Should -BeGreaterThan 50
        [long] $copyrightBytes = (& docker run --rm --entrypoint sh dockopt/python:3.11-slim -c 'find /usr/share/doc -name copyright -type f -exec cat {} + | wc -c')
        $copyrightBytes | Should -BeGreaterThan 1MB -Because 'they would reach the 1 MiB threshold if they counted'
        $a = Measure-DockOptImage dockopt/python:3.11-slim
        $a.Recommendations.Id | Should -Not -Contain 'DOA013'
    }

    It 'judges the Flask example''s single-stage image an Application: root and no HEALTHCHECK deduct 10 and 5' {
        if ($script:flaskError) { Set-ItResult -Skipped -Because "the Flask example could not be built here: $($script:flaskError)"; return }
        (& docker image inspect $script:flask --format '{{json .Config.Cmd}}') | Should -Be '["/bin/sh","-c","python3 app.py"]'
        $a = Measure-DockOptImage $script:flask
        $a.Profile | Should -Be 'Application'
        $a.ProfileReason | Should -Match 'python3 app\.py'
        ($a.Recommendations | Where-Object Id -EQ 'DOA009') | ForEach-Object { ($_.ScoreDeduction, $_.Severity) | Should -Be @(10, 'Medium') }
        ($a.Recommendations | Where-Object Id -EQ 'DOA010') | ForEach-Object { ($_.ScoreDeduction, $_.Severity) | Should -Be @(5, 'Low') }
        @($a.Recommendations | Where-Object Id -In 'DOA009', 'DOA010').Count | Should -Be 2
        # Its documentation (not only licences) still counts.
        ($a.Recommendations | Where-Object Id -EQ 'DOA013').ScoreDeduction | Should -Be 3
        # -Profile Base is the user's word and wins over Auto.
        (Measure-DockOptImage $script:flask -Profile Base).Score | Should -Be ($a.Score + 15)
    }
}

Describe 'Measure-DockOptImage gates and output' -Tag 'RequiresDocker' {
    BeforeAll {
        $script:img2 = New-TestImage -Tag ((New-TestImageName 'dockopt-analysis') + ':gate') -Dockerfile @'
FROM dockopt/busybox:latest
RUN head -c 300000 /dev/urandom > /big.bin && mkdir -p /var/log && head -c 1000 /dev/urandom > /var/log/x.log
RUN rm /big.bin /var/log/x.log
'@
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) (New-TestImageName 'dockopt-analysis-cfg')
        New-Item -ItemType Directory $script:dir | Out-Null
    }
    AfterAll {
        Remove-TestImage $script:img2
        Remove-Item -Recurse -Force $script:dir
    }

    It 'writes the output first, then ends with one ImageAnalysisGateFailed listing every violation' {
        $out = $null
        $err = $null
        try {
            Measure-DockOptImage $script:img2 -LowestEfficiency 0.99 -HighestReclaimableBytes 1000 -MinimumScore 100 -OutVariable out -ErrorAction Stop | Out-Null
        } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'ImageAnalysisGateFailed,DockOpt.Cmdlets.MeasureDockOptImageCommand'
        $err.Exception.Message | Should -Match 'Efficiency'
        $err.Exception.Message | Should -Match 'ReclaimableBytes 301000'
        $err.Exception.Message | Should -Match 'Score'
        @($out).Count | Should -Be 1
        $out[0].GateViolations.Count | Should -Be 3
    }

    It 'fails a CI step with exit code 1' {
        $mod = Get-DockOptTestModulePath
        & dotnet pwsh -NoProfile -Command "Import-Module '$mod'; `$ErrorActionPreference='Stop'; Measure-DockOptImage $($script:img2) -HighestReclaimableBytes 1000 | Out-Null" *> $null
        $LASTEXITCODE | Should -Be 1
    }

    It 'passes when -IgnorePath removes the waste from the gate' {
        $r = Measure-DockOptImage $script:img2 -HighestReclaimableBytes 0 -IgnorePath '/big.bin', '/var/log/**'
        $r.ReclaimableBytes | Should -Be 0
        $r.IgnoredReclaimableBytes | Should -Be 301000
    }

    It 'reads gates from .dockopt.yml and dive''s .dive-ci' {
        Push-Location $script:dir
        try {
            Set-Content .dive-ci "rules:`n  lowestEfficiency: 0.5`n  highestWastedBytes: 200KB`n  highestUserWastedPercent: disabled`n"
            { Measure-DockOptImage $script:img2 -ErrorAction Stop | Out-Null } | Should -Throw -ErrorId 'ImageAnalysisGateFailed,DockOpt.Cmdlets.MeasureDockOptImageCommand'
            Set-Content .dockopt.yml "analysis:`n  highestReclaimableBytes: 1MB   # overrides .dive-ci`n  ignorePaths:`n    - /var/log/**`n"
            $r = Measure-DockOptImage $script:img2 -ErrorAction Stop
            $r.ReclaimableBytes | Should -Be 300000
            Set-Content .dockopt.yml "analysis:`n  minimumScore: 150`n"
            { Measure-DockOptImage $script:img2 -ErrorAction Stop } | Should -Throw -ErrorId 'AnalysisConfigInvalid,DockOpt.Cmdlets.MeasureDockOptImageCommand'
        } finally {
            Remove-Item .dive-ci, .dockopt.yml -ErrorAction SilentlyContinue
            Pop-Location
        }
    }

    It 'writes -OutFile JSON with a schema version and the verdict' {
        $f = Join-Path $script:dir 'analysis.json'
        Measure-DockOptImage $script:img2 -OutFile $f | Out-Null
        $j = Get-Content $f -Raw | ConvertFrom-Json
        $j.schemaVersion | Should -Be 1
        $j.passed | Should -BeTrue
        $j.images[0].reclaimableBytes | Should -Be 301000
        $j.images[0].waste[0].cause | Should -Be 'DeletedLater'
        @(Get-ChildItem $script:dir -Filter '*.tmp' -Force).Count | Should -Be 0
    }

    It 'does not write -OutFile under -WhatIf' {
        $f = Join-Path $script:dir 'whatif.json'
        $r = Measure-DockOptImage $script:img2 -OutFile $f -WhatIf
        $r.ReclaimableBytes | Should -Be 301000
        Test-Path $f | Should -BeFalse
    }

    It 'takes ImageInfo and BuildResult-like objects from the pipeline' {
        $r = Get-DockOptImage $script:img2 | Measure-DockOptImage
        $r.ReclaimableBytes | Should -Be 301000
        $r2 = [pscustomobject]@{ Name = $script:img2 } | Measure-DockOptImage
        $r2.ImageId | Should -Be $r.ImageId
    }

    It 'reports an unknown image as a non-terminating ImageNotFound and goes on' {
        $r = Measure-DockOptImage 'dockopt-analysis-nope:none', $script:img2 -ErrorVariable ev -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'ImageNotFound,DockOpt.Cmdlets.MeasureDockOptImageCommand'
    }

    It 'reports a broken archive as ImageArchiveInvalid' {
        $f = Join-Path $script:dir 'broken.tar'
        Set-Content $f ('x' * 3000)
        { Measure-DockOptImage -Path $f -ErrorAction Stop } | Should -Throw -ErrorId 'ImageArchiveInvalid,DockOpt.Cmdlets.MeasureDockOptImageCommand'
    }
}
