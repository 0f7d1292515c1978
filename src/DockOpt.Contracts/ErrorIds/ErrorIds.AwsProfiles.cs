namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.AuthenticationError, "Get session credentials first (aws configure export-credentials --profile <name> --format env) and set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or use a profile without mfa_serial.")]
    public const string AwsMfaNotSupported = nameof(AwsMfaNotSupported);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Run the command yourself: it must exit 0 and print JSON with Version 1, AccessKeyId, SecretAccessKey, and SessionToken/Expiration for temporary credentials.")]
    public const string AwsCredentialProcessFailed = nameof(AwsCredentialProcessFailed);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Run 'aws sso login' for the profile (or its sso-session) and try again.")]
    public const string AwsSsoLoginRequired = nameof(AwsSsoLoginRequired);

    [ErrorId(DockOptErrorCategory.AuthenticationError, "Check sso_account_id and sso_role_name: the user must be assigned that permission set in that account.")]
    public const string AwsSsoRoleCredentialsFailed = nameof(AwsSsoRoleCredentialsFailed);

    [ErrorId(DockOptErrorCategory.InvalidData, "Fix the profile in ~/.aws/config (or AWS_CONFIG_FILE); 'aws configure list --profile <name>' shows what the AWS CLI reads.")]
    public const string AwsProfileInvalid = nameof(AwsProfileInvalid);
}
