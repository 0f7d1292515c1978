# DockOpt: everything is in DockOpt.Cmdlets.dll; this file only registers argument completers.
# Keep it tiny and fast: nothing here may call the engine at import time.

$imageNameCompleter = {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    $engine = $fakeBoundParameters['Engine']
    $params = @{ ErrorAction = 'Ignore' }
    if ($engine) { $params.Engine = $engine }
    $pattern = if ($wordToComplete) { "$wordToComplete*" } else { '*' }
    Get-DockOptImage @params -Name $pattern |
        ForEach-Object { $_.RepoTags } |
        Where-Object { $_ -like $pattern } |
        Sort-Object -Unique |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}

foreach ($cmd in 'Get-DockOptImage', 'Measure-DockOptImage', 'Test-DockOptImage', 'Invoke-DockOptScan', 'Get-DockOptPackage', 'Publish-DockOptImage') {
    Register-ArgumentCompleter -CommandName $cmd -ParameterName Name -ScriptBlock $imageNameCompleter
}
foreach ($p in 'ReferenceImage', 'DifferenceImage') {
    Register-ArgumentCompleter -CommandName Compare-DockOptImage -ParameterName $p -ScriptBlock $imageNameCompleter
}
