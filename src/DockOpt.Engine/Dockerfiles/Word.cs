namespace DockOpt.Engine.Dockerfiles;

/// <summary>One shell-like word of an argument string: raw span and unquoted value.</summary>
public readonly record struct Word(int Start, int End, string Raw, string Value);
