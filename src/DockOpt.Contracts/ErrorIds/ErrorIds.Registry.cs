namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.AuthenticationError, "Check the role's trust policy for the OIDC provider and audience.")]
    public const string AwsAssumeRoleFailed = nameof(AwsAssumeRoleFailed);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, use GitHub's OIDC (aws-actions/configure-aws-credentials), or pass -Credential AWS/<token>.")]
    public const string AwsCredentialsNotFound = nameof(AwsCredentialsNotFound);

    [ErrorId(DockOptErrorCategory.OperationTimeout, "Check the helper (it may wait for an interactive unlock).")]
    public const string CredentialHelperFailed = nameof(CredentialHelperFailed);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Install the docker-credential-<helper> program on PATH, or remove it from credHelpers/credsStore in the Docker config.json.")]
    public const string CredentialHelperNotFound = nameof(CredentialHelperNotFound);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "For example -Registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com -Repository app.")]
    public const string DestinationRequired = nameof(DestinationRequired);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Check the AWS credentials and that they allow ecr:GetAuthorizationToken in the repository's account and region.")]
    public const string EcrAuthFailed = nameof(EcrAuthFailed);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Run from the repository, set GITHUB_SHA, or pass the commit with -Tag.")]
    public const string GitShaUnavailable = nameof(GitShaUnavailable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Give -Version like 1.4.2, v2.0.0-rc.1 or 1.4.2+build.7.")]
    public const string InvalidVersion = nameof(InvalidVersion);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read the registry's answer in the message; check the credentials and network path to the registry, then publish again.")]
    public const string PushFailed = nameof(PushFailed);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Another client may have pushed the tag at the same time; publish again.")]
    public const string PushNotVerified = nameof(PushNotVerified);

    [ErrorId(DockOptErrorCategory.PermissionDenied, "Check that the account may pull and push this repository.")]
    public const string RegistryAccessDenied = nameof(RegistryAccessDenied);

    [ErrorId(DockOptErrorCategory.NotImplemented, "Use Basic or Bearer-token registries.")]
    public const string RegistryAuthUnsupported = nameof(RegistryAuthUnsupported);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Check the credentials and that the account may push to this repository.")]
    public const string RegistryAuthenticationFailed = nameof(RegistryAuthenticationFailed);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Pass -Credential, or run 'docker login <registry>', or add a credHelpers entry for it.")]
    public const string RegistryAuthenticationRequired = nameof(RegistryAuthenticationRequired);

    [ErrorId(DockOptErrorCategory.SecurityError, "Put the registry's CA certificate at /etc/docker/certs.d/<registry>/ca.crt (the engine reads it there too) or into the system trust store.")]
    public const string RegistryCertificateUntrusted = nameof(RegistryCertificateUntrusted);

    [ErrorId(DockOptErrorCategory.InvalidData, "The registry or a proxy alters manifests; check it.")]
    public const string RegistryDigestMismatch = nameof(RegistryDigestMismatch);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read the registry's answer in the message; check the registry's health and the repository's permissions.")]
    public const string RegistryError = nameof(RegistryError);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Credentials are fetched again automatically once; otherwise log in again.")]
    public const string RegistryTokenExpired = nameof(RegistryTokenExpired);

    [ErrorId(DockOptErrorCategory.ResourceUnavailable, "Try again later; raise -RetryTimeout / -MaxAttempts for a busy registry.")]
    public const string RegistryUnavailable = nameof(RegistryUnavailable);

    [ErrorId(DockOptErrorCategory.ConnectionError, "Check the network/proxy and the region.")]
    public const string RegistryUnreachable = nameof(RegistryUnreachable);

    [ErrorId(DockOptErrorCategory.ObjectNotFound, "Add -CreateRepository, or create it with New-ECRRepository.Create the repository in the registry first.")]
    public const string RepositoryNotFound = nameof(RepositoryNotFound);

    [ErrorId(DockOptErrorCategory.ResourceExists, "Publish under a new tag (for example -TagStrategy GitSha or SemVer); immutable tags cannot be moved.")]
    public const string TagImmutable = nameof(TagImmutable);

    [ErrorId(DockOptErrorCategory.InvalidArgument, "Add -Version 1.2.3 (or drop SemVer from -TagStrategy).")]
    public const string VersionRequired = nameof(VersionRequired);

    [ErrorId(DockOptErrorCategory.PermissionDenied, "Grant the identity the ecr:* action named in the message (an IAM policy on the role or user).")]
    public const string EcrAccessDenied = nameof(EcrAccessDenied);

    [ErrorId(DockOptErrorCategory.InvalidResult, "Read Amazon ECR's answer in the message; check the region, the repository name and the AWS credentials.")]
    public const string EcrApiError = nameof(EcrApiError);

}
