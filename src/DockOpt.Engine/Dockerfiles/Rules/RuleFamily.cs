namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>The five rule families; the first digit of a DO id names the family.</summary>
public enum RuleFamily
{
    /// <summary>DO1xxx: parse and syntax findings (the tolerant parser reports them and linting goes on).</summary>
    Syntax = 1,
    /// <summary>DO2xxx: instructions, stages and variables.</summary>
    Instructions = 2,
    /// <summary>DO3xxx: shell commands inside RUN.</summary>
    Shell = 3,
    /// <summary>DO4xxx: image size and build cache.</summary>
    Optimization = 4,
    /// <summary>DO5xxx: hygiene and security of the shipped image.</summary>
    Security = 5,
    /// <summary>DO6xxx: ShellCheck's checks on the shell script of RUN (reported with their SC codes).</summary>
    ShellCheck = 6,
}
