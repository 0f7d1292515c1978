namespace DockOpt.Engine.Dockerfiles;

/// <summary>A <c>--name[=value]</c> flag of an instruction.</summary>
public sealed class InstructionFlag
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public SourceRange Range { get; init; }
    public override string ToString() => Value == null ? "--" + Name : $"--{Name}={Value}";
}
