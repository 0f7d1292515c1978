#Requires -Version 7.4
<#
.SYNOPSIS
    Measures how often Test-DockOptDockerfile agrees with hadolint's own rule tests.

.DESCRIPTION
    Reads the rule tests of a hadolint checkout (test/Hadolint/Rule/DL*Spec.hs), rebuilds every assertion whose
    Dockerfile is written out statically in the test (ruleCatches, ruleCatchesNot, their onBuild forms, and
    assertChecks … (failsWith N "DLxxxx")), lints each Dockerfile with DockOpt and compares: hadolint's test says the
    rule fires (or not); DockOpt agrees when a finding with that HadolintId is (or is not) reported.

    The ShellCheck cases (test/Hadolint/Rule/ShellcheckSpec.hs: assertChecks / assertOnBuildChecks … failsShellcheck or
    passesShellcheck) are compared the same way, with code "SC": hadolint's test says ShellCheck reports something (or
    nothing); DockOpt agrees when it reports a finding with a ShellCheckId (or none). They are summarised on their own
    lines and in a table per SC code. The test names no code, so a case counts under every SC code DockOpt or the
    shellcheck binary reports for it (under "-" when neither reports anything). Per code the table gives the cases,
    how many of them agree with hadolint's expectation, and — the third column — how many agree with shellcheck
    itself: shellcheck (on PATH, or -ShellCheckPath) is run on every RUN script of the case, as DockOpt reads it
    (shell form, sh -c exec form, heredoc; -s sh, or -s bash under a bash SHELL) with the names Docker sets for that RUN
    (ENV, ARG, the proxy arguments; ENV only in an ONBUILD trigger) exported on a first line, as hadolint does; the case
    agrees for the code when both report it at the same Dockerfile lines and columns, or neither does. A disagreement
    with hadolint's expectation that agrees with shellcheck is a choice of context (which shell, which variables),
    documented on the rule page; one that disagrees with shellcheck is a difference in a check. Codes DockOpt does
    not implement are listed with "(not implemented)" and left out of the implemented total.

    The test's configuration (let ?config = def { allowedRegistries = …, labelSchema = …, strictLabels = … }) is
    passed as a .hadolint.yaml. The rule under test is turned on with -IncludeRule, so opt-in rules (pinning) count.

    Nothing of hadolint is copied into this repository: the checkout is read at run time (hadolint is GPL-3.0).

.PARAMETER HadolintPath
    A hadolint/hadolint checkout (a work tree, or a bare git directory whose HEAD is read with git show).

.PARAMETER Rule
    Only the assertions of these DL codes ('SC' for the ShellcheckSpec cases).

.PARAMETER AddFromScratch
    Put 'FROM scratch' in front of the snippets that have no FROM (the issue's second figure).

.PARAMETER ShowDisagreements
    List every disagreement (code, expected, snippet), and every ShellcheckSpec case where DockOpt and shellcheck differ.

.PARAMETER ShellCheckPath
    The shellcheck binary for the third column of the ShellcheckSpec table (default: shellcheck on PATH; the figures on
    the rule pages are from shellcheck 0.9.0). Without one the column reads n/a.

.EXAMPLE
    ./bench/hadolint-agreement.ps1 -HadolintPath ~/src/hadolint -ShowDisagreements
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$HadolintPath,
    [string[]]$Rule,
    [switch]$AddFromScratch,
    [switch]$ShowDisagreements,
    [string]$ShellCheckPath = 'shellcheck',
    [string]$ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'DockOpt')
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath) -Force

# --- Reading the spec files -------------------------------------------------------------------------------------

function Get-SpecFile {
    param([string]$Root)
    if (Test-Path (Join-Path $Root 'test' 'Hadolint' 'Rule')) {
        return Get-ChildItem (Join-Path $Root 'test' 'Hadolint' 'Rule') -Filter '*Spec.hs' | Where-Object Name -match '^(DL\d+|Shellcheck)Spec\.hs$' |
            ForEach-Object { [pscustomobject]@{ Name = $_.Name; Text = Get-Content -Raw $_.FullName } }
    }
    # A bare git directory (for example one brought by a mirror): read HEAD.
    $names = git --git-dir=$Root ls-tree --name-only HEAD test/Hadolint/Rule/ | Where-Object { $_ -match '/(DL\d+|Shellcheck)Spec\.hs$' }
    if (-not $names) { throw "No test/Hadolint/Rule/DL*Spec.hs under '$Root'." }
    foreach ($n in $names) {
        [pscustomobject]@{ Name = Split-Path $n -Leaf; Text = (git --git-dir=$Root show "HEAD:$n") -join "`n" }
    }
}

# A Haskell string literal starting at $Text[$Pos] = '"'. Returns @(value, positionAfter).
# Handles the escapes the specs use (\" \\ \n \t \' \&) and string gaps (backslash, white space, backslash).
function Read-HsString {
    param([string]$Text, [int]$Pos)
    $sb = [System.Text.StringBuilder]::new()
    $i = $Pos + 1
    while ($i -lt $Text.Length) {
        $c = $Text[$i]
        if ($c -eq '"') { return @($sb.ToString(), ($i + 1)) }
        if ($c -ne '\') { [void]$sb.Append($c); $i++; continue }
        $n = $Text[$i + 1]
        if ([char]::IsWhiteSpace($n)) {
            # gap: skip to the closing backslash
            $i += 2
            while ($i -lt $Text.Length -and $Text[$i] -ne '\') { $i++ }
            $i++
            continue
        }
        switch -CaseSensitive ($n) {
            'n' { [void]$sb.Append("`n") }
            't' { [void]$sb.Append("`t") }
            '&' { }
            default { [void]$sb.Append($n) }
        }
        $i += 2
    }
    return @($null, $i)
}

# String and list-of-string bindings (name = "…" / name = [ "…", … ] / name = Text.unlines [ … ]) with their positions.
function Get-Binding {
    param([string]$Text)
    $bindings = [System.Collections.Generic.List[object]]::new()
    foreach ($m in [regex]::Matches($Text, '(?m)\b(?<name>[a-z]\w*)\s*=\s*(?:(?:Text\.)?(?<fn>unlines)\s+)?(?<open>["\[])')) {
        $name = $m.Groups['name'].Value
        $p = $m.Groups['open'].Index
        if ($m.Groups['open'].Value -eq '"') {
            $s = Read-HsString $Text $p
            if ($null -ne $s[0]) { $bindings.Add([pscustomobject]@{ Name = $name; Pos = $m.Index; Lines = $null; Value = $s[0] }) }
            continue
        }
        $items = [System.Collections.Generic.List[string]]::new()
        $i = $p + 1
        $ok = $true
        while ($i -lt $Text.Length) {
            $c = $Text[$i]
            if ($c -eq ']') { break }
            if ($c -eq '"') { $s = Read-HsString $Text $i; $items.Add($s[0]); $i = $s[1]; continue }
            if ([char]::IsWhiteSpace($c) -or $c -eq ',') { $i++; continue }
            if ($c -eq '-' -and $Text[$i + 1] -eq '-') { while ($i -lt $Text.Length -and $Text[$i] -ne "`n") { $i++ }; continue }
            $ok = $false; break
        }
        if (-not $ok -or $items.Count -eq 0) { continue }
        $joined = if ($m.Groups['fn'].Success) { ($items | ForEach-Object { $_ + "`n" }) -join '' } else { $null }
        $bindings.Add([pscustomobject]@{ Name = $name; Pos = $m.Index; Lines = $items; Value = $joined })
    }
    $bindings
}

# The Dockerfile argument of an assertion at $Pos: a literal, or Text.unlines / Text.intercalate "\n" / a name.
function Read-Argument {
    param([string]$Text, [int]$Pos, $Bindings)
    $rest = $Text.Substring($Pos)
    $m = [regex]::Match($rest, '^\s*(?:\$\s*)?\(?\s*')
    $i = $Pos + $m.Length
    if ($Text[$i] -eq '"') { $s = Read-HsString $Text $i; return @($s[0], $s[1]) }
    $m = [regex]::Match($Text.Substring($i), '^(?:(?:Text\.)?(?<fn>unlines|unwords)\s+|(?:Text\.)?intercalate\s+"\\n"\s+)?(?<name>[a-z]\w*)\)?')
    if (-not $m.Success) { return @($null, $i) }
    $name = $m.Groups['name'].Value
    $b = $Bindings | Where-Object { $_.Name -ceq $name -and $_.Pos -lt $Pos } | Select-Object -Last 1
    if (-not $b) { return @($null, $i) }
    $value = if ($null -ne $b.Value) { $b.Value }
             elseif ($m.Groups['fn'].Value -eq 'unlines') { ($b.Lines | ForEach-Object { $_ + "`n" }) -join '' }
             else { $b.Lines -join "`n" }
    @($value, ($i + $m.Length))
}

# The configuration in force at $Pos: the last 'let ?config = …' before it.
function Get-Config {
    param([string]$Text, [int]$Pos)
    $m = [regex]::Matches($Text.Substring(0, $Pos), '\?config\s*=\s*def\b(?<rest>[^}]*\}?)') | Select-Object -Last 1
    $config = @{ Registries = @(); Labels = [ordered]@{}; Strict = $false }
    if (-not $m) { return $config }
    $r = $m.Groups['rest'].Value
    if ($r -match 'allowedRegistries\s*=\s*\[(?<list>[^\]]*)\]') {
        $config.Registries = @([regex]::Matches($Matches.list, '"([^"]*)"') | ForEach-Object { $_.Groups[1].Value })
    }
    foreach ($l in [regex]::Matches($r, '\(\s*"(?<label>[^"]+)"\s*,\s*(?:Rule\.)?(?<type>\w+)\s*\)')) {
        $config.Labels[$l.Groups['label'].Value] = switch ($l.Groups['type'].Value) {
            'RawText' { 'text' } 'Url' { 'url' } 'Spdx' { 'spdx' } 'SemVer' { 'semver' }
            'Email' { 'email' } 'GitHash' { 'hash' } 'Rfc3339' { 'rfc3339' } default { 'text' }
        }
    }
    if ($r -match 'strictLabels\s*=\s*True') { $config.Strict = $true }
    $config
}

# hadolint's onBuild helpers wrap every RUN into ONBUILD RUN.
function ConvertTo-OnBuild {
    param([string]$Dockerfile)
    ($Dockerfile -split "`n" | ForEach-Object { $_ -replace '^(\s*)(?i:run)(\s)', '$1ONBUILD RUN$2' }) -join "`n"
}

function Get-Case {
    param($Spec)
    $text = $Spec.Text
    $bindings = @(Get-Binding $text)
    $calls = '\b(?<fn>onBuildRuleCatchesNot|onBuildRuleCatches|ruleCatchesNot|ruleCatches)\s+"(?<code>DL\d{4})"'
    foreach ($m in [regex]::Matches($text, $calls)) {
        $arg = Read-Argument $text ($m.Index + $m.Length) $bindings
        if ($null -eq $arg[0]) { continue }
        $fn = $m.Groups['fn'].Value
        $df = if ($fn -like 'onBuild*') { ConvertTo-OnBuild $arg[0] } else { $arg[0] }
        [pscustomobject]@{ Spec = $Spec.Name; Code = $m.Groups['code'].Value; Expect = $fn -notlike '*Not'; Dockerfile = $df; Config = Get-Config $text $m.Index }
    }
    foreach ($m in [regex]::Matches($text, '\b(?<fn>assertChecks|assertOnBuildChecks)\b')) {
        $arg = Read-Argument $text ($m.Index + $m.Length) $bindings
        if ($null -eq $arg[0]) { continue }
        $df = if ($m.Groups['fn'].Value -eq 'assertOnBuildChecks') { ConvertTo-OnBuild $arg[0] } else { $arg[0] }
        $after = $text.Substring($arg[1])
        $sc = [regex]::Match($after, '^\s*\)?\s*(?<what>failsShellcheck|passesShellcheck)\b')
        if ($sc.Success) {
            [pscustomobject]@{ Spec = $Spec.Name; Code = 'SC'; Expect = $sc.Groups['what'].Value -eq 'failsShellcheck'; Dockerfile = $df; Config = Get-Config $text $m.Index }
            continue
        }
        $f = [regex]::Match($after, '^\s*\)?\s*\(\s*failsWith\s+(?<n>\d+)\s+"(?<code>DL\d{4})"')
        if (-not $f.Success) { continue }
        [pscustomobject]@{ Spec = $Spec.Name; Code = $f.Groups['code'].Value; Expect = [int]$f.Groups['n'].Value -gt 0; Dockerfile = $df; Config = Get-Config $text $m.Index }
    }
}

# --- The shellcheck column of the ShellcheckSpec table ----------------------------------------------------------

# The module loads its engine into a load context of its own: its types are reached through the assembly.
function Get-EngineType {
    param([string]$Name)
    $engine = [System.Runtime.Loader.AssemblyLoadContext]::All.Assemblies | Where-Object { $_.GetName().Name -eq 'DockOpt.Engine' } | Select-Object -First 1
    if (-not $engine) { throw 'The DockOpt engine assembly is not loaded.' }
    $engine.GetType("DockOpt.Engine.Dockerfiles.$Name", $true)
}

# A shellcheck (line, column) in a script file whose first line is the export line: the offset in the script text.
function Get-ScriptOffset {
    param([string]$Text, [int]$Line, [int]$Column)
    $i = 0
    for ($l = 1; $l -lt $Line -and $i -lt $Text.Length; $l++) {
        $n = $Text.IndexOf("`n", $i)
        $i = if ($n -lt 0) { $Text.Length } else { $n + 1 }
    }
    [math]::Min($i + $Column - 1, [math]::Max(0, $Text.Length - 1))
}

# Runs the shellcheck binary on every RUN script of each Dockerfile as DockOpt reads it (its engine's RunShellScripts),
# with the names Docker sets for that RUN exported on a first line, as hadolint does. SC1090, SC1091 and SC2187 are left
# out, as hadolint leaves them out. Returns, per Dockerfile, its findings as 'SCnnnn@line:column' (Dockerfile positions).
function Invoke-ShellCheckOracle {
    param([string[]]$Dockerfiles, [string]$Binary)
    $tmp = Join-Path ([IO.Path]::GetTempPath()) ("dockopt-sc-oracle-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    New-Item -ItemType Directory $tmp | Out-Null
    $found = @(for ($k = 0; $k -lt $Dockerfiles.Count; $k++) { , [System.Collections.Generic.List[string]]::new() })
    try {
        $type = { param($name) Get-EngineType $name }
        $queries = & $type 'Shell.ShQueries'
        $scripts = @{}
        for ($k = 0; $k -lt $Dockerfiles.Count; $k++) {
            $doc = (& $type 'DockerfileParser')::Parse($Dockerfiles[$k])
            $model = (& $type 'DockerfileModel')::new($doc, $null, $null)
            $ctx = (& $type 'Rules.LintContext')::new($doc, $model, (& $type 'LintOptions')::new(), $null)
            foreach ($run in (& $type 'Shell.RunShellScripts')::Of($ctx)) {
                # (an engine older than ShQueries.DockerVariables: the RUN's own set, as it had no trigger rule)
                $vars = if ($queries.GetMethod('DockerVariables')) { $queries::DockerVariables($ctx, $run) } else { $run.DockerVariables }
                $names = @($vars | Where-Object { $_ -match '^[A-Za-z_][A-Za-z0-9_]*$' } | Sort-Object)
                $dialect = if ("$($run.Script.Dialect)" -eq 'Bash') { 'bash' } else { 'sh' }
                $path = Join-Path $tmp ('{0}.{1}' -f $scripts.Count, $dialect)
                [IO.File]::WriteAllText($path, 'export ' + ($names -join ' ') + "`n" + $run.Script.Text.Replace("`t", ' ') + "`n")
                $scripts[$path] = [pscustomobject]@{ Case = $k; Script = $run.Script }
            }
        }
        foreach ($dialect in 'sh', 'bash') {
            $paths = @($scripts.Keys | Where-Object { $_.EndsWith(".$dialect") })
            if (-not $paths) { continue }
            $json = (& $Binary -s $dialect -f json -e 1090,1091,2187 @paths) -join "`n"
            foreach ($e in @($json | ConvertFrom-Json)) {
                if ($e.line -eq 1) { continue } # the export line
                $s = $scripts[$e.file]
                $pos = $s.Script.Source.PositionAt((Get-ScriptOffset $s.Script.Text ($e.line - 1) $e.column))
                $found[$s.Case].Add(('SC{0}@{1}:{2}' -f $e.code, $pos.Line, $pos.Column))
            }
        }
    }
    finally { Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue }
    $found
}

# --- Linting and comparing --------------------------------------------------------------------------------------

$cases = @(Get-SpecFile $HadolintPath | ForEach-Object { Get-Case $_ })
if ($Rule) { $cases = @($cases | Where-Object Code -in $Rule) }
if (-not $cases) { throw "No case extracted from '$HadolintPath'." }

$work = Join-Path ([IO.Path]::GetTempPath()) ("dockopt-hadolint-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
Push-Location $work   # no .hadolint.yaml or .dockopt.yml of the caller's folder is picked up
try {
    $configFiles = @{}
    $results = foreach ($c in $cases) {
        $df = $c.Dockerfile
        if ($AddFromScratch -and $df -notmatch '(?im)^\s*from\s') { $df = "FROM scratch`n" + $df }
        $yaml = [System.Text.StringBuilder]::new()
        if ($c.Config.Registries) { [void]$yaml.AppendLine('trustedRegistries:'); $c.Config.Registries | ForEach-Object { [void]$yaml.AppendLine("  - '$_'") } }
        if ($c.Config.Labels.Count) { [void]$yaml.AppendLine('label-schema:'); $c.Config.Labels.GetEnumerator() | ForEach-Object { [void]$yaml.AppendLine("  $($_.Key): $($_.Value)") } }
        if ($c.Config.Strict) { [void]$yaml.AppendLine('strict-labels: true') }
        $lintArgs = @{ Content = $df; ErrorAction = 'SilentlyContinue' }
        if ($c.Code -ne 'SC') { $lintArgs.IncludeRule = $c.Code }
        if ($yaml.Length -gt 0) {
            $key = $yaml.ToString()
            if (-not $configFiles.ContainsKey($key)) {
                $configFiles[$key] = Join-Path $work ("config{0}.yml" -f $configFiles.Count)
                Set-Content -LiteralPath $configFiles[$key] -Value $key
            }
            $lintArgs.ConfigPath = $configFiles[$key]
        }
        $findings = @(Test-DockOptDockerfile @lintArgs)
        $fired = if ($c.Code -eq 'SC') { @($findings | Where-Object ShellCheckId).Count -gt 0 } else { @($findings | Where-Object HadolintId -eq $c.Code).Count -gt 0 }
        $sc = if ($c.Code -eq 'SC') { @($findings | Where-Object ShellCheckId | ForEach-Object { '{0}@{1}:{2}' -f $_.ShellCheckId, $_.Line, $_.Column } | Sort-Object -Unique) } else { @() }
        [pscustomobject]@{ Spec = $c.Spec; Code = $c.Code; Expect = $c.Expect; Fired = $fired; Agree = $fired -eq $c.Expect; HasFrom = $df -match '(?im)^\s*from\s'; Dockerfile = $df; DockOptSc = $sc }
    }
}
finally {
    Pop-Location
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

$shellcheck = @($results | Where-Object Code -eq 'SC')
$oracle = $null
if ($shellcheck -and (Get-Command $ShellCheckPath -CommandType Application -ErrorAction SilentlyContinue)) {
    $oracle = Invoke-ShellCheckOracle -Dockerfiles @($shellcheck.Dockerfile) -Binary $ShellCheckPath
    $scVersion = (& $ShellCheckPath --version | Select-String '^version:').ToString() -replace '^version:\s*', ''
    for ($k = 0; $k -lt $shellcheck.Count; $k++) {
        $shellcheck[$k] | Add-Member -NotePropertyName ShellCheck -NotePropertyValue @($oracle[$k] | Sort-Object -Unique)
    }
}
elseif ($shellcheck) { Write-Warning "No '$ShellCheckPath' on PATH: the shellcheck column of the ShellcheckSpec table reads n/a." }
$results = @($results | Where-Object Code -ne 'SC')
$agree = @($results | Where-Object Agree).Count
$must = @($results | Where-Object Expect)
$mustNot = @($results | Where-Object { -not $_.Expect })
if ($results) {
'{0} assertions from {1} spec files; agreement {2:P1} ({3}/{0})' -f $results.Count, @($results.Spec | Sort-Object -Unique).Count, ($agree / [math]::Max(1, $results.Count)), $agree
'  must fire:     {0:P1} of {1}' -f (@($must | Where-Object Agree).Count / [math]::Max(1, $must.Count)), $must.Count
'  must not fire: {0:P1} of {1}' -f (@($mustNot | Where-Object Agree).Count / [math]::Max(1, $mustNot.Count)), $mustNot.Count
'  without FROM:  {0} assertions, {1:P1} agree' -f @($results | Where-Object { -not $_.HasFrom }).Count, (@($results | Where-Object { -not $_.HasFrom -and $_.Agree }).Count / [math]::Max(1, @($results | Where-Object { -not $_.HasFrom }).Count))
}
if ($shellcheck) {
    'ShellcheckSpec: {0} assertions; agreement {1:P1} ({2}/{0}); must report: {3}/{4}, must stay silent: {5}/{6}' -f $shellcheck.Count,
        (@($shellcheck | Where-Object Agree).Count / $shellcheck.Count), @($shellcheck | Where-Object Agree).Count,
        @($shellcheck | Where-Object { $_.Expect -and $_.Agree }).Count, @($shellcheck | Where-Object Expect).Count,
        @($shellcheck | Where-Object { -not $_.Expect -and $_.Agree }).Count, @($shellcheck | Where-Object { -not $_.Expect }).Count
}
if ($shellcheck) {
    $implemented = @((Get-EngineType 'Rules.RuleCatalog')::Rules | Where-Object { $_.Info.Id -like 'DO6*' } | ForEach-Object { $_.Info.Hadolint }) + 'SC2113'
    $codeOf = { param($keys) @($keys | Where-Object { $_ } | ForEach-Object { ($_ -split '@')[0] }) }
    $rows = foreach ($r in $shellcheck) {
        $ours = @(& $codeOf $r.DockOptSc)
        $theirs = @(if ($null -ne $oracle) { & $codeOf $r.ShellCheck })
        $codes = @($ours + $theirs | Sort-Object -Unique)
        if (-not $codes) { $codes = @('-') }
        foreach ($code in $codes) {
            $same = if ($null -eq $oracle) { $null } else {
                (@($r.DockOptSc | Where-Object { $_ -like "$code@*" }) -join ',') -eq (@($r.ShellCheck | Where-Object { $_ -like "$code@*" }) -join ',')
            }
            [pscustomobject]@{ Code = $code; Hadolint = $r.Agree; ShellCheck = $same }
        }
    }
    ''
    'ShellcheckSpec per SC code (a case counts under each code DockOpt or shellcheck reports for it; - : neither reports one):'
    '| code | cases | agree with hadolint | % | agree with shellcheck{0} | % |' -f $(if ($null -ne $oracle) { " $scVersion" } else { '' })
    '|---|---:|---:|---:|---:|---:|'
    foreach ($g in $rows | Group-Object Code | Sort-Object { $_.Name -eq '-' }, Name) {
        $n = $g.Count
        $h = @($g.Group | Where-Object Hadolint).Count
        $label = if ($g.Name -ne '-' -and $g.Name -notin $implemented) { "$($g.Name) (not implemented)" } else { $g.Name }
        $sc = if ($null -eq $oracle) { 'n/a', 'n/a' } else { $a = @($g.Group | Where-Object ShellCheck).Count; "$a", ('{0:0.0} %' -f (100.0 * $a / $n)) }
        '| {0} | {1} | {2} | {3:0.0} % | {4} | {5} |' -f $label, $n, $h, (100.0 * $h / $n), $sc[0], $sc[1]
    }
    if ($null -ne $oracle) {
        $impl = @($rows | Where-Object { $_.Code -in $implemented })
        'Codes implemented: DockOpt agrees with shellcheck {0} on {1} of {2} (case, code) pairs ({3:P1}), with hadolint''s expectation on {4} of {2}.' -f $scVersion,
            @($impl | Where-Object ShellCheck).Count, $impl.Count, (@($impl | Where-Object ShellCheck).Count / [math]::Max(1, $impl.Count)), @($impl | Where-Object Hadolint).Count
    }
}
''
'Per rule (disagreements / assertions):'
$results | Group-Object Code | Where-Object { $_.Group.Agree -contains $false } | Sort-Object Name | ForEach-Object {
    '  {0}: {1}/{2}' -f $_.Name, @($_.Group | Where-Object { -not $_.Agree }).Count, $_.Count
}
if ($ShowDisagreements) {
    ''
    @($results) + @($shellcheck) | Where-Object { -not $_.Agree } | ForEach-Object {
        '--- {0} expected {1}, DockOpt {2} ({3})' -f $_.Code, ($_.Expect ? 'fire' : 'silence'), ($_.Fired ? 'fired' : 'silent'), $_.Spec
        if ($_.Code -eq 'SC' -and $null -ne $oracle) { '    DockOpt: {0}; shellcheck: {1}' -f ($_.DockOptSc -join ' '), ($_.ShellCheck -join ' ') }
        $_.Dockerfile.TrimEnd()
    }
    if ($null -ne $oracle) {
        $shellcheck | Where-Object { ($_.DockOptSc -join ' ') -ne ($_.ShellCheck -join ' ') } | ForEach-Object {
            '--- SC: DockOpt {0}; shellcheck {1}' -f ($_.DockOptSc -join ' '), ($_.ShellCheck -join ' ')
            $_.Dockerfile.TrimEnd()
        }
    }
}
