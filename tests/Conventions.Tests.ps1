# The parameter vocabulary of about_DockOpt_Conventions, enforced on every exported cmdlet's metadata, so a new
# cmdlet cannot drift; plus the behaviour the vocabulary promises (report formats, completer, pipeline binding,
# wildcards, durations, severities) and gates that fail closed in real `pwsh -c` child processes.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-DockOptTestModulePath
    $manifest = Import-PowerShellDataFile $modulePath
    $script:cmdlets = & {
        Import-Module $modulePath -Force
        (Get-Command -Module DockOpt -CommandType Cmdlet).Name
    } | Where-Object { $_ -in $manifest.CmdletsToExport } | ForEach-Object { @{ Name = $_ } }
    # The subsets a rule applies to, from the metadata itself (so a new cmdlet is picked up without editing this file).
    $meta = @{}
    foreach ($c in $script:cmdlets) { $meta[$c.Name] = (Get-Command $c.Name).Parameters }
    $script:withName = @($script:cmdlets | Where-Object { $meta[$_.Name].ContainsKey('Name') })
    $script:imageInputs = @($script:cmdlets | Where-Object { $_.Name -in 'Get-DockOptImage', 'Measure-DockOptImage', 'Test-DockOptImage', 'Invoke-DockOptScan', 'Get-DockOptPackage', 'Publish-DockOptImage' -or
        ($meta[$_.Name].ContainsKey('Name') -and @($meta[$_.Name]['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline }).Count -gt 0) })
    $script:wildcardPath = @($script:cmdlets | Where-Object { $meta[$_.Name].ContainsKey('Path') -and @($meta[$_.Name]['Path'].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0 })
    $script:withFailOn = @($script:cmdlets | Where-Object { $meta[$_.Name].ContainsKey('FailOn') -or $_.Name -in 'Measure-DockOptImage', 'Test-DockOptImage', 'Test-DockOptDockerfile', 'Invoke-DockOptScan', 'Publish-DockOptImage' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DockOptTestModulePath) -Force
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # Cmdlets whose input is images (-Name is their image, position 0, from the pipeline).
    $script:imageCmdlets = 'Get-DockOptImage', 'Measure-DockOptImage', 'Test-DockOptImage', 'Invoke-DockOptScan', 'Get-DockOptPackage', 'Publish-DockOptImage'
    # Cmdlets that write a report (-Format + -OutFile).
    $script:reportCmdlets = 'Measure-DockOptImage', 'Test-DockOptImage', 'Test-DockOptDockerfile', 'Invoke-DockOptScan'
    # Cmdlets that judge (a -FailOn gate).
    $script:judgeCmdlets = 'Measure-DockOptImage', 'Test-DockOptImage', 'Test-DockOptDockerfile', 'Invoke-DockOptScan', 'Publish-DockOptImage'
    # Names that the vocabulary replaced; a parameter with one of these names is drift.
    $script:banned = 'Image', 'ImageName', 'Images', 'ArchivePath', 'OutputFormat', 'ReportFormat', 'OutputPath', 'ReportPath',
        'MinScore', 'MinimumSeverity', 'Threshold', 'Timeout', 'TimeoutSec', 'TimeoutSeconds', 'GracePeriodSec', 'NoCacheLayers', 'File'
    # The constants of DockOpt.Cmdlets.Conventions.ParameterSets (internal: read through the cmdlet assembly), plus PowerShell's own.
    $sets = (Get-Command Get-DockOptImage).ImplementingType.Assembly.GetType('DockOpt.Cmdlets.Conventions.ParameterSets', $true)
    $script:setNames = @($sets.GetFields([Reflection.BindingFlags]'Public, Static') | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() }) + '__AllParameterSets'
    $script:setNames.Count | Should -BeGreaterThan 8

    function Get-OwnParameters([string] $Name) {
        (Get-Command $Name).Parameters.Values | Where-Object { $_.Name -notin $script:common }
    }

    # Runs a script in a child pwsh (the same executable as this one) and returns @{ Output; ExitCode }.
    function Invoke-ChildPwsh([string] $Script) {
        $exe = [Environment]::ProcessPath
        $pre = if ((Split-Path $exe -Leaf) -like 'dotnet*') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $full = "Import-Module '$(Get-DockOptTestModulePath)'; $Script"
        $out = & $exe @pre -NoProfile -NonInteractive -Command $full 2>&1
        return @{ Output = ($out | Out-String); ExitCode = $LASTEXITCODE }
    }
}

Describe 'Vocabulary of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:cmd = Get-Command $Name
        $script:params = @(Get-OwnParameters $Name)
        $script:byName = @{}
        foreach ($p in $script:params) { $script:byName[$p.Name] = $p }
    }

    It 'uses none of the replaced parameter names (Image, ArchivePath, OutputFormat, MinScore, …Sec)' {
        $drift = @($params | Where-Object { $_.Name -in $banned -or $_.Name -match '(Sec|Seconds|Secs)$' } | ForEach-Object Name)
        $drift | Should -BeNullOrEmpty
    }

    It 'names its parameter sets with the shared constants' {
        $odd = @($cmd.ParameterSets.Name | Where-Object { $_ -notin $setNames })
        $odd | Should -BeNullOrEmpty
    }

    It 'puts the image-name completer on every image parameter (-Name, …Image)' {
        foreach ($p in $params | Where-Object { $_.Name -eq 'Name' -or $_.Name -like '*Image' }) {
            $completer = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }
            $completer.Type | Should -Be ([DockOpt.Cmdlets.Conventions.ImageNameCompleter]) -Because "-$($p.Name) of $Name completes image names"
        }
    }

    It 'has -LiteralPath only beside a wildcard -Path' {
        if ($byName.ContainsKey('LiteralPath')) {
            $byName.ContainsKey('Path') | Should -BeTrue
            @($byName['Path'].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
        }
    }
}

Describe '-Name of <Name>' -ForEach $withName {
    BeforeAll {
        $script:p = (Get-Command $Name).Parameters['Name']
    }

    It 'gives -Name the shape of an image input: string[], wildcards, the DockOpt-object transformation' {
        $p.ParameterType | Should -Be ([string[]])
        @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
        @($p.Attributes | Where-Object { $_ -is [DockOpt.Cmdlets.Conventions.ImageNameTransformationAttribute] }).Count | Should -Be 1
        $p.Aliases | Should -Contain 'Image'
        $p.Aliases | Should -Contain 'ImageId'
    }

}

Describe 'Image input of <Name>' -ForEach $imageInputs {
    It 'binds -Name at position 0 from the pipeline by value and by property name' {
        $params = (Get-Command $Name).Parameters
        $params.ContainsKey('Name') | Should -BeTrue
        $pa = $params['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        foreach ($a in $pa) {
            $a.Position | Should -Be 0
            $a.ValueFromPipeline | Should -BeTrue
            $a.ValueFromPipelineByPropertyName | Should -BeTrue
        }
    }
}

Describe 'Files of <Name>' -ForEach $wildcardPath {
    It 'pairs -Path with wildcards with -LiteralPath (aliases PSPath, LP) in its own parameter set' {
        $byName = (Get-Command $Name).Parameters
        $byName.ContainsKey('LiteralPath') | Should -BeTrue
        $byName['LiteralPath'].Aliases | Should -Contain 'PSPath'
        $byName['LiteralPath'].Aliases | Should -Contain 'LP'
        $pathSets = @($byName['Path'].ParameterSets.Keys)
        $literalSets = @($byName['LiteralPath'].ParameterSets.Keys)
        @($pathSets | Where-Object { $_ -in $literalSets }) | Should -BeNullOrEmpty
    }
}

Describe 'Vocabulary of <Name>, continued' -ForEach $cmdlets {
    BeforeAll {
        $script:cmd = Get-Command $Name
        $script:params = @(Get-OwnParameters $Name)
        $script:byName = @{}
        foreach ($p in $script:params) { $script:byName[$p.Name] = $p }
    }

    It 'has -Format and -OutFile together (a reporting cmdlet has both)' {
        $byName.ContainsKey('OutFile') | Should -Be $byName.ContainsKey('Format')
        if ($Name -in $reportCmdlets) {
            $byName.ContainsKey('Format') | Should -BeTrue
            $vs = $byName['Format'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            $vs.ValidValues | Should -Not -BeNullOrEmpty
            $vs.ValidValues | Should -Not -Contain 'Object'
        }
    }

    It 'has -FailOn on a cmdlet that judges, and nowhere else' {
        $byName.ContainsKey('FailOn') | Should -Be ($Name -in $judgeCmdlets)
    }


    It 'types every severity parameter as DockOpt.Severity' {
        foreach ($p in $params | Where-Object { $_.Name -match 'Severity$' }) {
            ([Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType) | Should -Be ([DockOpt.Severity]) -Because "-$($p.Name)"
            @($p.Attributes | Where-Object { $_ -is [DockOpt.Cmdlets.Conventions.SeverityTransformationAttribute] }).Count | Should -Be 1
        }
    }

    It 'spells a score gate -MinimumScore (Measure and Scan have it)' {
        if ($Name -in 'Measure-DockOptImage', 'Invoke-DockOptScan') { $byName.ContainsKey('MinimumScore') | Should -BeTrue }
        @($params | Where-Object { $_.Name -like '*Score' -and $_.Name -ne 'MinimumScore' }) | Should -BeNullOrEmpty
    }

    It 'takes durations as TimeSpan with the duration transformation, named …Timeout, …Interval, GracePeriod or Maximum…Age' {
        foreach ($p in $params | Where-Object { $_.ParameterType -eq [TimeSpan] -or $_.ParameterType -eq [Nullable[TimeSpan]] }) {
            $p.Name | Should -Match '(Timeout|Interval)$|^GracePeriod$|^Maximum\w*Age$'
            @($p.Attributes | Where-Object { $_ -is [DockOpt.Cmdlets.Conventions.DurationTransformationAttribute] }).Count | Should -Be 1 -Because "-$($p.Name)"
        }
        foreach ($p in $params | Where-Object { $_.Name -match '(Timeout|Interval)$|^GracePeriod$|^Maximum\w*Age$' }) {
            ([Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType) | Should -Be ([TimeSpan]) -Because "-$($p.Name) is a duration"
        }
    }

    It 'uses -NoCache only for docker''s build cache' {
        if ($byName.ContainsKey('NoCache')) { $Name | Should -Be 'Invoke-DockOptBuild' }
    }

    It 'uses -Summary only for "summaries instead of the records" (adding summaries is -IncludeSummary)' {
        if (-not $byName.ContainsKey('Summary')) { return }
        (Get-Help $Name -Parameter Summary).Description.Text | Should -Match 'instead of'
    }

    It 'supports -WhatIf/-Confirm when it writes files or history' {
        $writes = @($params | Where-Object { $_.Name -in 'OutFile', 'HistoryPath', 'SbomPath', 'Fix' })
        if ($writes.Count -gt 0) { $cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue -Because "-$($writes[0].Name) writes" }
    }
}

Describe '-FailOn of <Name>' -ForEach $withFailOn {
    It 'types -FailOn as DockOpt.Severity with the severity transformation (Test-DockOptImage: the test outcome)' {
        $p = (Get-Command $Name).Parameters['FailOn']
        $p | Should -Not -BeNullOrEmpty
        $t = [Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType
        if ($Name -eq 'Test-DockOptImage') {
            $t | Should -Be ([DockOpt.ImageTestOutcome])
        }
        else {
            $t | Should -Be ([DockOpt.Severity])
            @($p.Attributes | Where-Object { $_ -is [DockOpt.Cmdlets.Conventions.SeverityTransformationAttribute] }).Count | Should -Be 1
        }
    }
}

Describe 'about_DockOpt_Conventions' {
    It 'is compiled into help and states the rules this file enforces' {
        $text = Get-Help about_DockOpt_Conventions | Out-String
        $text | Should -Match 'SHORT DESCRIPTION'
        foreach ($word in 'ImageNameCompleter', 'LiteralPath', 'ReportFormatUnknown', 'ImageTestGateFailed', 'PublishScanGateFailed', 'NoLayerCache', 'IncludeSummary', '1h30m') {
            $text | Should -Match ([regex]::Escape($word))
        }
    }
}

Describe 'Reports: one -Format/-OutFile rule' {
    It '<Cmdlet> fails -OutFile with an unknown extension with ReportFormatUnknown' -ForEach @(
        @{ Cmdlet = 'Measure-DockOptImage'; Class = 'MeasureDockOptImageCommand'; Params = @{ Name = 'x' } }
        @{ Cmdlet = 'Test-DockOptImage'; Class = 'TestDockOptImageCommand'; Params = @{ Name = 'x' } }
        @{ Cmdlet = 'Test-DockOptDockerfile'; Class = 'TestDockOptDockerfileCommand'; Params = @{ Content = "FROM scratch`n" } }
        @{ Cmdlet = 'Invoke-DockOptScan'; Class = 'InvokeDockOptScanCommand'; Params = @{ Name = 'x' } }
    ) {
        $out = Join-Path $TestDrive 'report.unknown'
        { & $Cmdlet @Params -OutFile $out } | Should -Throw -ErrorId "ReportFormatUnknown,DockOpt.Cmdlets.$Class"
        { & $Cmdlet @Params -OutFile (Join-Path $TestDrive 'noext') } | Should -Throw -ErrorId "ReportFormatUnknown,DockOpt.Cmdlets.$Class"
        Test-Path $out | Should -BeFalse
    }

    It 'takes the format from the extension when -Format is left out, and writes text to the pipeline without -OutFile' {
        $sarif = Join-Path $TestDrive 'lint.sarif'
        $objects = @(Test-DockOptDockerfile -Content "FROM debian`nRUN sudo true`n" -OutFile $sarif)
        (Get-Content $sarif -Raw | ConvertFrom-Json).version | Should -Be '2.1.0'
        $objects.Count | Should -BeGreaterThan 0
        $objects[0] | Should -BeOfType ([DockOpt.LintFinding])
        $text = @(Test-DockOptDockerfile -Content "FROM debian`nRUN sudo true`n" -Format Sarif)
        $text.Count | Should -Be 1
        $text[0] | Should -BeOfType ([string])
        ($text[0] | ConvertFrom-Json).runs[0].results.Count | Should -Be $objects.Count
    }
}

Describe 'Values: durations and severities' {
    It 'reads <Text> as <Expected>' -ForEach @(
        @{ Text = '30s'; Expected = '00:00:30' }
        @{ Text = '2m'; Expected = '00:02:00' }
        @{ Text = '1h30m'; Expected = '01:30:00' }
        @{ Text = '500ms'; Expected = '00:00:00.5000000' }
        @{ Text = '90'; Expected = '00:01:30' }
        @{ Text = '2.5'; Expected = '00:00:02.5000000' }
        @{ Text = '00:01:30'; Expected = '00:01:30' }
    ) {
        $t = [TimeSpan]::Zero
        [DockOpt.Cmdlets.Conventions.DurationTransformationAttribute]::TryConvert($Text, [ref] $t) | Should -BeTrue
        $t | Should -Be ([TimeSpan]::Parse($Expected, [cultureinfo]::InvariantCulture))
    }

    It 'refuses a word that is not a duration, on a real cmdlet' {
        { Test-DockOptImage x -ReadyTimeout 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,DockOpt.Cmdlets.TestDockOptImageCommand'
        { Publish-DockOptImage x -Destination 127.0.0.1:1/x -ScanTimeout '-5' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,DockOpt.Cmdlets.PublishDockOptImageCommand'
    }

    It 'shares one default between Publish -ScanTimeout and the engine' {
        $p = (Get-Command Publish-DockOptImage).ImplementingType::new()
        $p.ScanTimeout | Should -Be ([TimeSpan]::FromMinutes(10))
        $p.RetryTimeout | Should -Be ([TimeSpan]::FromMinutes(2))
    }

    It 'maps <Word> to <Expected>' -ForEach @(
        @{ Word = 'Style'; Expected = 'Info' }
        @{ Word = 'Info'; Expected = 'Info' }
        @{ Word = 'warning'; Expected = 'Medium' }
        @{ Word = 'Error'; Expected = 'High' }
        @{ Word = 'Informational'; Expected = 'Info' }
        @{ Word = 'Negligible'; Expected = 'Low' }
        @{ Word = 'Moderate'; Expected = 'Medium' }
        @{ Word = 'Important'; Expected = 'High' }
        @{ Word = 'CRITICAL'; Expected = 'Critical' }
    ) {
        $s = [DockOpt.Severity]::Unknown
        [DockOpt.Cmdlets.Conventions.SeverityTransformationAttribute]::TryParse($Word, [ref] $s) | Should -BeTrue
        $s | Should -Be $Expected
    }

    It 'gates lint on hadolint words and refuses an unknown one' {
        $text = "FROM debian:bookworm-slim`nRUN cd /x`nUSER 1000`nHEALTHCHECK NONE`n"   # one DL3003 warning
        { Test-DockOptDockerfile -Content $text -FailOn Error } | Should -Not -Throw
        { Test-DockOptDockerfile -Content $text -FailOn Warning } | Should -Throw -ErrorId 'LintGateFailed,DockOpt.Cmdlets.TestDockOptDockerfileCommand'
        { Test-DockOptDockerfile -Content $text -FailOn Moderate } | Should -Throw -ErrorId 'LintGateFailed,DockOpt.Cmdlets.TestDockOptDockerfileCommand'
        { Test-DockOptDockerfile -Content $text -FailOn Sometimes } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,DockOpt.Cmdlets.TestDockOptDockerfileCommand'
    }
}

Describe 'Images: completer, pipeline binding and wildcards on a real engine' {
    BeforeAll {
        $script:haveDocker = Test-DockerEngine
        $script:tag = $null
        if ($script:haveDocker) {
            $null = & docker image inspect dockopt/busybox:latest 2>$null
            if ($LASTEXITCODE -eq 0) {
                $script:repo = New-TestImageName 'vocab-conv'
                $script:tag = "$($script:repo):t1"
                & docker tag dockopt/busybox:latest $script:tag
            }
        }
        $script:skip = -not $script:tag
    }
    AfterAll { if ($script:tag) { Remove-TestImage $script:tag } }

    It 'completes -Name of <Cmdlet> with local images (attribute completer)' -ForEach @(
        @{ Cmdlet = 'Get-DockOptImage' }, @{ Cmdlet = 'Measure-DockOptImage' }, @{ Cmdlet = 'Test-DockOptImage' },
        @{ Cmdlet = 'Invoke-DockOptScan' }, @{ Cmdlet = 'Get-DockOptPackage' }, @{ Cmdlet = 'Publish-DockOptImage' }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because 'no Docker engine or no dockopt/busybox base image'; return }
        foreach ($line in "$Cmdlet -Name $($script:repo.Substring(0, 14))", "$Cmdlet $($script:repo.Substring(0, 14))") {
            $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $c.CompletionMatches.CompletionText | Should -Contain $script:tag -Because $line
        }
        $line = "Compare-DockOptImage -ReferenceImage $($script:repo.Substring(0, 14))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $script:tag
    }

    It 'binds the image of every DockOpt object that names one (<Type>) from the pipeline' -ForEach @(
        @{ Type = 'ImageInfo' }, @{ Type = 'BuildResult' }, @{ Type = 'ImageAnalysis' }, @{ Type = 'SecurityReport' },
        @{ Type = 'ImageTestResult' }, @{ Type = 'ImageTestSummary' }, @{ Type = 'PackageInfo' }, @{ Type = 'Vulnerability' },
        @{ Type = 'SecurityFinding' }, @{ Type = 'HistoryRecord' }
    ) {
        if ($script:skip) { Set-ItResult -Skipped -Because 'no Docker engine or no dockopt/busybox base image'; return }
        $o = New-Object "DockOpt.$Type"
        switch ($Type) {
            'ImageInfo' { $o = Get-DockOptImage $script:tag }
            'BuildResult' { $o.Tags = @($script:tag); $o.ImageId = 'sha256:0' }
            default { $o.Image = $script:tag }
        }
        # Objects that carry their own Name (a check, a package) must still bind their image, not that Name.
        if ($Type -in 'ImageTestResult', 'PackageInfo') { $o.Name = 'not-an-image' }
        $got = @($o | Get-DockOptImage)
        $got.Count | Should -Be 1
        $got[0].RepoTags | Should -Contain $script:tag
    }

    It 'binds piped files to -Path (the archive) and not their file name to -Name, on Measure, Scan and Get-DockOptPackage' {
        if ($script:skip) { Set-ItResult -Skipped -Because 'no Docker engine or no dockopt/busybox base image'; return }
        $tar = Join-Path $TestDrive 'image.tar'
        & docker save $script:tag -o $tar
        (Get-Item $tar | Measure-DockOptImage -ErrorAction Stop).Image | Should -Be $tar
        (Get-Item $tar | Invoke-DockOptScan -Scanner Config -NoTrivy -ErrorAction Stop).Image | Should -Be $tar
        { Get-Item $tar | Get-DockOptPackage -ErrorAction Stop } | Should -Not -Throw
        (Measure-DockOptImage -LiteralPath $tar).Image | Should -Be $tar
        { Measure-DockOptImage } | Should -Throw -ErrorId 'ImageNameRequired,DockOpt.Cmdlets.MeasureDockOptImageCommand'
        { Invoke-DockOptScan -NoTrivy } | Should -Throw -ErrorId 'ImageNameRequired,DockOpt.Cmdlets.InvokeDockOptScanCommand'
    }

    It 'expands wildcards the same way on Measure, Scan and Test-DockOptImage' {
        if ($script:skip) { Set-ItResult -Skipped -Because 'no Docker engine or no dockopt/busybox base image'; return }
        $pattern = "$($script:repo)*"
        (Measure-DockOptImage $pattern).Image | Should -Be $script:tag
        (Invoke-DockOptScan $pattern -Scanner Config -NoTrivy).Image | Should -Be $script:tag
        $r = @(Test-DockOptImage $pattern -Category Metadata -IncludeSummary -WarningAction SilentlyContinue)
        ($r | Where-Object { $_ -is [DockOpt.ImageTestSummary] }).Image | Should -Be $script:tag
    }
}

Describe 'Gates fail closed in a CI step (pwsh -c exits non-zero)' {
    BeforeAll {
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) ('dockopt-vocab-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        New-Item -ItemType Directory -Path $script:dir | Out-Null
        $script:comment = Join-Path $script:dir 'comment.Dockerfile'
        [IO.File]::WriteAllText($script:comment, "# only a comment`n")
        $script:emptyFile = Join-Path $script:dir 'empty.Dockerfile'
        [IO.File]::WriteAllText($script:emptyFile, '')
        $script:binary = Join-Path $script:dir 'binary.Dockerfile'
        [IO.File]::WriteAllBytes($script:binary, [byte[]](0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2))
        $script:missing = Join-Path $script:dir 'missing/Dockerfile'
        $script:badTar = Join-Path $script:dir 'not-an-image.tar'
        [IO.File]::WriteAllText($script:badTar, 'this is not a tar')
        $script:haveDocker = Test-DockerEngine
    }
    AfterAll { Remove-Item -Recurse -Force $script:dir -ErrorAction Ignore }

    It 'lint: a missing, empty, binary or comment-only Dockerfile fails -FailOn Error (<Mode>)' -ForEach @(
        @{ Mode = 'Continue' }, @{ Mode = 'Stop' }
    ) {
        foreach ($f in $script:missing, $script:emptyFile, $script:binary, $script:comment) {
            $r = Invoke-ChildPwsh "`$ErrorActionPreference = '$Mode'; Test-DockOptDockerfile '$f' -FailOn Error | Out-Null"
            $r.ExitCode | Should -Not -Be 0 -Because "$f with `$ErrorActionPreference = $Mode"
            if ($Mode -eq 'Continue') { $r.Output | Should -Match 'LintGateFailed|Lint gate failed' }
        }
        $r = Invoke-ChildPwsh "Test-DockOptDockerfile '$($script:missing)', '$($script:comment)' -FailOn Error | Out-Null"
        $r.Output | Should -Match '2 input\(s\) could not be linted'
    }

    It 'lint: a clean Dockerfile still exits 0' {
        $ok = Join-Path $script:dir 'ok.Dockerfile'
        [IO.File]::WriteAllText($ok, "FROM debian:bookworm-slim@sha256:$('a' * 64)`nUSER 1000`nHEALTHCHECK NONE`nCMD [""true""]`n")
        $r = Invoke-ChildPwsh "Test-DockOptDockerfile '$ok' -FailOn Error | Out-Null"
        $r.ExitCode | Should -Be 0 -Because $r.Output
    }

    It 'measure: an unreadable archive fails -MinimumScore with ImageAnalysisGateFailed (<Mode>)' -ForEach @(
        @{ Mode = 'Continue' }, @{ Mode = 'Stop' }
    ) {
        $r = Invoke-ChildPwsh "`$ErrorActionPreference = '$Mode'; Measure-DockOptImage -Path '$($script:badTar)' -MinimumScore 0 | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        if ($Mode -eq 'Continue') { $r.Output | Should -Match 'could not be measured' }
    }

    It 'scan: an unreadable archive fails -FailOn Critical with SecurityGateFailed (<Mode>)' -ForEach @(
        @{ Mode = 'Continue' }, @{ Mode = 'Stop' }
    ) {
        $r = Invoke-ChildPwsh "`$ErrorActionPreference = '$Mode'; Invoke-DockOptScan -Path '$($script:badTar)' -NoTrivy -FailOn Critical | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        if ($Mode -eq 'Continue') { $r.Output | Should -Match 'Security gate failed' }
    }

    It 'image tests: an image that does not exist fails -FailOn Failed with ImageTestGateFailed (<Mode>)' -ForEach @(
        @{ Mode = 'Continue' }, @{ Mode = 'Stop' }
    ) {
        if (-not $script:haveDocker) { Set-ItResult -Skipped -Because 'no Docker engine'; return }
        $r = Invoke-ChildPwsh "`$ErrorActionPreference = '$Mode'; Test-DockOptImage vocab-no-such-image:1 -FailOn Failed | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        if ($Mode -eq 'Continue') { $r.Output | Should -Match 'could not be tested' }
    }

    It 'publish: an image that does not exist fails -FailOn High with PublishScanGateFailed (<Mode>)' -ForEach @(
        @{ Mode = 'Continue' }, @{ Mode = 'Stop' }
    ) {
        if (-not $script:haveDocker) { Set-ItResult -Skipped -Because 'no Docker engine'; return }
        $r = Invoke-ChildPwsh "`$ErrorActionPreference = '$Mode'; Publish-DockOptImage vocab-no-such-image:1 -Destination 127.0.0.1:9/vocab/x -FailOn High -WarningAction SilentlyContinue | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        if ($Mode -eq 'Continue') { $r.Output | Should -Match 'not published' }
    }

    It 'measure: a wildcard that matches no image fails the gate too' {
        if (-not $script:haveDocker) { Set-ItResult -Skipped -Because 'no Docker engine'; return }
        $r = Invoke-ChildPwsh "Measure-DockOptImage 'vocab-no-such-image-*' -MinimumScore 0 | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'could not be measured'
    }
}
