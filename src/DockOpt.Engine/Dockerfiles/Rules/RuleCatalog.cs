namespace DockOpt.Engine.Dockerfiles.Rules;

/// <summary>Static description of one rule.</summary>
public sealed record RuleInfo(string Id, string Name, LintSeverity Severity, string Description,
    string Hadolint = "", string BuildCheck = "", bool EnabledByDefault = true, bool ShippedOnly = false)
{
    public string HelpUri =>
        Hadolint.StartsWith("DL", StringComparison.Ordinal) ? "https://github.com/hadolint/hadolint/wiki/" + Hadolint.Split('/')[0]
        : BuildCheck.Length > 0 ? "https://docs.docker.com/reference/build-checks/" + Kebab(BuildCheck) + "/"
        : "docs/Test-DockOptDockerfile.md#" + Id.ToLowerInvariant();

    static string Kebab(string s) => string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>Every rule DockOpt knows, with its hadolint and Docker build-check counterparts.</summary>
public static class RuleCatalog
{
    public static readonly IReadOnlyList<RuleInfo> All = new RuleInfo[]
    {
        // Parse and syntax (reported by the tolerant parser; linting goes on).
        new("DO1001", "UnknownInstruction", LintSeverity.Error, "Unknown instruction.", "DL1000"),
        new("DO1002", "UnknownFlag", LintSeverity.Warning, "Unknown flag for the instruction (hadolint fails the whole file here)."),
        new("DO1003", "InvalidFlagValue", LintSeverity.Warning, "Invalid flag value, mount type or mount option."),
        new("DO1004", "UnterminatedHeredoc", LintSeverity.Error, "A heredoc has no terminating delimiter line.", "DL1000"),
        new("DO1005", "MissingArguments", LintSeverity.Error, "The instruction lacks required arguments."),
        new("DO1006", "InstructionBeforeFrom", LintSeverity.Error, "Only ARG and comments may come before the first FROM.", "DL3061"),
        new("DO1007", "EmptyContinuationLine", LintSeverity.Warning, "Empty line inside a line continuation.", "", "NoEmptyContinuation"),
        new("DO1008", "InvalidJsonForm", LintSeverity.Warning, "Arguments look like JSON but are not (single quotes); Docker runs them through a shell."),
        new("DO1009", "InvalidOnbuildTrigger", LintSeverity.Error, "ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER.", "DL3043"),
        new("DO1010", "ContinuationAtEndOfFile", LintSeverity.Warning, "The file ends with a line continuation."),
        new("DO1011", "InvalidDirective", LintSeverity.Warning, "Duplicate or invalid parser directive."),
        new("DO1012", "TargetNotFound", LintSeverity.Error, "The -Target stage does not exist."),
        new("DO1014", "InvalidArgument", LintSeverity.Error, "An argument Docker rejects (for example a STOPSIGNAL that is no signal)."),
        new("DO1013", "NoFromInstruction", LintSeverity.Error, "The Dockerfile has no FROM instruction."),

        // Correctness.
        new("DO2000", "WorkdirRelativePath", LintSeverity.Error, "WORKDIR should be absolute (after variable substitution).", "DL3000", "WorkdirRelativePath"),
        new("DO2001", "DuplicateStageName", LintSeverity.Error, "Stage names must be unique.", "DL3024", "DuplicateStageName"),
        new("DO2002", "ReservedStageName", LintSeverity.Warning, "scratch and context are reserved stage names.", "DL3063", "ReservedStageName"),
        new("DO2003", "StageNameCasing", LintSeverity.Warning, "Stage names should be lowercase.", "", "StageNameCasing"),
        new("DO2004", "FromAsCasing", LintSeverity.Style, "The AS keyword should match the casing of FROM.", "", "FromAsCasing"),
        new("DO2005", "ConsistentInstructionCasing", LintSeverity.Style, "Instruction keywords should use one casing (uppercase).", "", "ConsistentInstructionCasing"),
        new("DO2006", "CopyFromUnknownStage", LintSeverity.Warning, "COPY --from names no earlier stage and does not look like an image.", "DL3022"),
        new("DO2007", "CopyFromOwnStage", LintSeverity.Error, "COPY --from cannot name its own stage.", "DL3023"),
        new("DO2008", "MultipleCmd", LintSeverity.Warning, "Only the last CMD of a stage takes effect.", "DL4003", "MultipleInstructionsDisallowed"),
        new("DO2009", "MultipleEntrypoint", LintSeverity.Error, "Only the last ENTRYPOINT of a stage takes effect.", "DL4004", "MultipleInstructionsDisallowed"),
        new("DO2010", "MultipleHealthcheck", LintSeverity.Error, "Only the last HEALTHCHECK of a stage takes effect.", "DL3012", "MultipleInstructionsDisallowed"),
        new("DO2011", "MaintainerDeprecated", LintSeverity.Error, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors.", "DL4000", "MaintainerDeprecated"),
        new("DO2012", "InvalidPort", LintSeverity.Error, "EXPOSE takes port[/protocol] with 0-65535, no host mapping or IP.", "DL3011", "ExposeInvalidFormat"),
        new("DO2013", "ExposeProtoCasing", LintSeverity.Warning, "EXPOSE protocol should be lowercase.", "", "ExposeProtoCasing"),
        new("DO2014", "UndefinedArgInFrom", LintSeverity.Warning, "FROM uses an ARG that is not declared before the first FROM.", "", "UndefinedArgInFrom"),
        new("DO2015", "UndefinedVar", LintSeverity.Warning, "A variable is used that is not defined in the stage (a global ARG must be re-declared).", "", "UndefinedVar"),
        new("DO2016", "LegacyKeyValueFormat", LintSeverity.Style, "Use ENV/LABEL key=value, not the legacy 'key value' form.", "", "LegacyKeyValueFormat"),
        new("DO2017", "RedundantTargetPlatform", LintSeverity.Info, "FROM --platform=$TARGETPLATFORM is the default.", "DL3065", "RedundantTargetPlatform"),
        new("DO2018", "FromPlatformConstant", LintSeverity.Warning, "FROM --platform with a constant value defeats multi-platform builds.", "DL3029", "FromPlatformFlagConstDisallowed"),
        new("DO2019", "CopyDestinationNotDirectory", LintSeverity.Error, "COPY/ADD with several sources needs a destination ending in /.", "DL3021"),
        new("DO2020", "EnvSelfReference", LintSeverity.Error, "An ENV uses a variable defined in the same ENV instruction (it sees the old value).", "DL3044"),
        new("DO2021", "RelativeDestinationWithoutWorkdir", LintSeverity.Warning, "COPY/ADD to a relative destination before any WORKDIR.", "DL3045"),
        new("DO2022", "CopyWholeFilesystem", LintSeverity.Warning, "COPY --from=stage / / copies a whole filesystem.", "DL3067"),
        new("DO2024", "InvalidLabelKey", LintSeverity.Style, "Label keys should be lowercase alphanumerics, '.' and '-', outside the reserved com.docker/io.docker/org.dockerproject namespaces.", "DL3048"),
        new("DO2025", "InvalidDefinitionDescription", LintSeverity.Style, "A comment right above a named stage or an ARG should start with its name (experimental build check; opt-in).", "", "InvalidDefinitionDescription", EnabledByDefault: false),
        new("DO2023", "InvalidDefaultArgInFrom", LintSeverity.Error, "With the ARG defaults the base image name is empty or invalid.", "", "InvalidDefaultArgInFrom"),

        // Shell commands in RUN (heredoc bodies included).
        new("DO3000", "CdInsteadOfWorkdir", LintSeverity.Warning, "Use WORKDIR to change directory.", "DL3003"),
        new("DO3001", "Sudo", LintSeverity.Error, "Do not use sudo; set USER or use gosu.", "DL3004"),
        new("DO3002", "PackageUpgrade", LintSeverity.Warning, "Upgrading all packages makes builds unreproducible; use a newer base image.", "DL3035"),
        new("DO3003", "PackageInstallMissingYes", LintSeverity.Warning, "Package install without -y blocks or fails a non-interactive build.", "DL3014"),
        new("DO3004", "AptNoInstallRecommends", LintSeverity.Info, "apt-get install without --no-install-recommends installs unneeded packages.", "DL3015"),
        new("DO3005", "UnpinnedPackage", LintSeverity.Info, "Package installed without a version pin (opt-in policy).", "DL3008", "", EnabledByDefault: false),
        new("DO3006", "PackageCacheNotCleaned", LintSeverity.Info, "Package manager cache left in a shipped layer; clean it in the same RUN or use a cache mount.", "DL3009", "", ShippedOnly: true),
        new("DO3007", "PipNoCacheDir", LintSeverity.Warning, "pip install without --no-cache-dir (or a cache mount) ships the wheel cache.", "DL3042", "", ShippedOnly: true),
        new("DO3008", "AptInsteadOfAptGet", LintSeverity.Warning, "apt is for interactive use; use apt-get or apt-cache.", "DL3027"),
        new("DO3009", "PointlessCommand", LintSeverity.Info, "Command that makes no sense in a container (ssh, vim, service, shutdown, ...).", "DL3001"),
        new("DO3010", "UseraddHighUid", LintSeverity.Warning, "useradd with a high UID without -l bloats the image (lastlog).", "DL3046"),
        new("DO3011", "WgetWithoutProgress", LintSeverity.Info, "wget without --progress (or -q) floods the build log.", "DL3047"),
        new("DO3012", "CurlAndWget", LintSeverity.Warning, "Use either curl or wget, not both.", "DL4001"),
        new("DO3013", "MissingPipefail", LintSeverity.Warning, "A pipe in RUN hides failures of its first commands; set -o pipefail.", "DL4006"),
        new("DO3014", "ShellReplacedByLink", LintSeverity.Warning, "Use SHELL instead of linking /bin/sh.", "DL4005"),
        new("DO3015", "TlsVerificationDisabled", LintSeverity.Warning, "TLS or package signature verification is disabled."),
        new("DO3016", "AptUpdateAlone", LintSeverity.Warning, "apt-get update without install in the same RUN leaves a stale cache layer."),

        // Optimization (no peer has these).
        new("DO4000", "CacheUnfriendlyOrder", LintSeverity.Warning, "The whole build context is copied before the dependency install: every source change reinstalls dependencies."),
        new("DO4001", "SingleStageToolchain", LintSeverity.Warning, "A single-stage build ships its compiler toolchain; use a build stage and a runtime stage.", "", "", true, true),
        new("DO4002", "HeavyBaseImage", LintSeverity.Info, "The shipped image uses a heavy base where a slim variant exists.", "", "", true, true),
        new("DO4003", "ConsecutiveRun", LintSeverity.Info, "Consecutive RUN instructions with the same flags could be merged into one layer.", "DL3059"),
        new("DO4004", "SeparateChmodLayer", LintSeverity.Info, "chmod/chown in its own RUN duplicates the files in a new layer; use COPY --chmod/--chown.", "", "", true, true),
        new("DO4005", "AddedThenDeleted", LintSeverity.Warning, "Files added in one layer and deleted in a later one still ship in the image.", "", "", true, true),
        new("DO4006", "DockerignoreMissing", LintSeverity.Info, "No .dockerignore, or it does not exclude .git / node_modules present in the context."),
        new("DO4007", "AddInsteadOfCopy", LintSeverity.Error, "Use COPY for local files; ADD only for remote sources or archives to unpack.", "DL3020"),
        new("DO4008", "AddRemoteWithoutChecksum", LintSeverity.Warning, "ADD of a URL without --checksum: the download is not verified and the layer never caches."),
        new("DO4010", "CopyIgnoredFile", LintSeverity.Warning, "COPY/ADD of a path that .dockerignore excludes: the build fails or copies nothing.", "", "CopyIgnoredFile"),
        new("DO4011", "ArchiveCopiedThenExtracted", LintSeverity.Info, "An archive is COPYed and then extracted by RUN: the archive ships in its own layer.", "DL3010"),
        new("DO4009", "UnusedStage", LintSeverity.Info, "A stage that the final stage does not use (built for nothing by the classic builder)."),

        // Hygiene and security (shipped image).
        new("DO5000", "SecretInArgOrEnv", LintSeverity.Warning, "A secret in ARG/ENV is stored in the image history; use RUN --mount=type=secret.", "DL3064", "SecretsUsedInArgOrEnv"),
        new("DO5001", "RootUser", LintSeverity.Warning, "The shipped image runs as root (by name or UID 0).", "DL3002", "", true, true),
        new("DO5002", "NoUser", LintSeverity.Info, "The shipped image never sets USER, so it runs as the base image's user (usually root).", "", "", true, true),
        new("DO5003", "MissingHealthcheck", LintSeverity.Info, "The shipped image has no HEALTHCHECK.", "DL3057", "", true, true),
        new("DO5004", "ShellFormCmd", LintSeverity.Warning, "Shell-form CMD/ENTRYPOINT: the app is not PID 1 and does not receive SIGTERM.", "DL3025", "JSONArgsRecommended", true, true),
        new("DO5005", "UnpinnedBaseImage", LintSeverity.Warning, "Base image without a tag or with :latest.", "DL3006"),
        new("DO5006", "BaseImageNotDigestPinned", LintSeverity.Info, "Base image is not pinned by digest (opt-in policy).", "", "", EnabledByDefault: false),
        new("DO5007", "UntrustedRegistry", LintSeverity.Error, "Image from a registry outside trustedRegistries.", "DL3026"),
        new("DO5009", "NonNumericUser", LintSeverity.Info, "The final USER is a name: Kubernetes runAsNonRoot cannot verify it (opt-in).", "DL3066", "", false, true),
        new("DO5008", "LabelSchema", LintSeverity.Info, "Required label missing, empty or not in its declared format.", "DL3049", "", true, true),
    };

    static readonly Dictionary<string, RuleInfo> ById = All.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);

    public static RuleInfo Get(string id) => ById[id];
    public static bool TryGet(string id, out RuleInfo? rule) => ById.TryGetValue(id, out rule);
}
