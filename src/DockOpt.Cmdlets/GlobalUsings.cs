// The parameter conventions (parameter-set names, transformations, completers, report formats) every cmdlet uses.
global using DockOpt.Cmdlets.Conventions;
