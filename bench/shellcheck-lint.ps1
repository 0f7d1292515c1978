<#
.SYNOPSIS
    Bench for the ShellCheck rules (issue 20 item 5): lints every Dockerfile of the test corpora in-process, warm (all
    rules, DO6xxx shell analysis on), and times the DO6xxx rules alone (RUN script parsing included) on the same
    documents. Prints min and median per pass, wall clock and CPU time of the process (on a machine whose cores are
    shared, the CPU time is the steadier figure); the loop runs in compiled code, so pwsh adds nothing per file.
.EXAMPLE
    dotnet pwsh bench/shellcheck-lint.ps1 -EngineDir tests/DockOpt.Engine.Tests/bin/Release/net10.0 -Runs 15
#>
param(
    [string] $EngineDir = (Join-Path $PSScriptRoot '../tests/DockOpt.Engine.Tests/bin/Release/net10.0'),
    [string[]] $Corpus = @((Join-Path $PSScriptRoot '../tests/DockOpt.Engine.Tests/Dockerfiles')),
    [int] $Runs = 15
)
$ErrorActionPreference = 'Stop'
$contracts = (Resolve-Path (Join-Path $EngineDir 'DockOpt.Contracts.dll')).Path
$engine = (Resolve-Path (Join-Path $EngineDir 'DockOpt.Engine.dll')).Path
Add-Type -Path $contracts
Add-Type -Path $engine
Add-Type -IgnoreWarnings -ReferencedAssemblies $contracts, $engine, System.Linq, System.Collections, System.Runtime, System.Console, System.Diagnostics.Process, System.ComponentModel.Primitives -TypeDefinition @'
using System;
using System.Diagnostics;
using System.Linq;
using DockOpt.Engine.Dockerfiles;
using DockOpt.Engine.Dockerfiles.Rules;
public static class ShellCheckBench
{
    /// <summary>CPU time of the process per pass, sorted (filled by Time): unlike the wall clock, it hardly moves when other work shares the cores.</summary>
    public static double[] Cpu = Array.Empty<double>();

    public static double[] Time(string[] texts, string[] paths, int runs, bool shellOnly)
    {
        var opts = new LintOptions();
        var rules = RuleCatalog.Rules.Where(r => r.Info.Id.StartsWith("DO6")).ToArray();
        var docs = texts.Select(t => DockerfileParser.Parse(t)).ToArray();
        var models = docs.Select(d => new DockerfileModel(d)).ToArray();
        Action pass = shellOnly
            ? () => { for (var i = 0; i < docs.Length; i++) { var ctx = new LintContext(docs[i], models[i], opts, paths[i]); foreach (var r in rules) r.Check(ctx); } }
            : () => { for (var i = 0; i < texts.Length; i++) DockerfileLinter.Lint(texts[i], paths[i], opts); };
        pass(); pass();
        var times = new double[runs];
        var cpu = new double[runs];
        var process = Process.GetCurrentProcess();
        for (var k = 0; k < runs; k++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            pass();
            times[k] = sw.Elapsed.TotalSeconds;
            process.Refresh();
            cpu[k] = (process.TotalProcessorTime - c0).TotalSeconds;
        }
        Array.Sort(times);
        Array.Sort(cpu);
        Cpu = cpu;
        return times;
    }
}
'@
$files = @($Corpus | ForEach-Object { Get-ChildItem $_ -Recurse -File -Filter '*Dockerfile' } | Sort-Object FullName)
$texts = [string[]]@($files | ForEach-Object { [IO.File]::ReadAllText($_.FullName) })
$paths = [string[]]@($files | ForEach-Object FullName)
$all = [ShellCheckBench]::Time($texts, $paths, $Runs, $false)
$allCpu = [ShellCheckBench]::Cpu
$sc = [ShellCheckBench]::Time($texts, $paths, $Runs, $true)
$scCpu = [ShellCheckBench]::Cpu
$n = 0; foreach ($i in 0..($texts.Count - 1)) { $n += @([DockOpt.Engine.Dockerfiles.DockerfileLinter]::Lint($texts[$i], $paths[$i], [DockOpt.Engine.Dockerfiles.LintOptions]::new()).Findings | Where-Object ShellCheckId).Count }
'{0} Dockerfiles, {1} findings with an SC code' -f $files.Count, $n
'lint, all rules (DO6xxx on), warm: min {0:0.000} s, median {1:0.000} s over {2} runs' -f $all[0], $all[[int]($Runs / 2)], $Runs
'DO6xxx rules alone (RUN script parsing included): min {0:0.000} s, median {1:0.000} s' -f $sc[0], $sc[[int]($Runs / 2)]
'CPU time of the process per pass (min, median): lint {0:0.000} s, {1:0.000} s; DO6xxx alone {2:0.000} s, {3:0.000} s' -f $allCpu[0], $allCpu[[int]($Runs / 2)], $scCpu[0], $scCpu[[int]($Runs / 2)]
