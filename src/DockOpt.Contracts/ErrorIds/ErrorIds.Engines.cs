namespace DockOpt;

public static partial class ErrorIds
{
    [ErrorId(DockOptErrorCategory.ConnectionError, "Check that 'ssh USER@HOST docker system dial-stdio' works from this shell without a prompt: the host key is known (~/.ssh/known_hosts), the key is offered (ssh-agent, ~/.ssh/config IdentityFile), the user may use the remote engine, and the remote host has the docker CLI.", Terminating = true)]
    public const string EngineSshFailed = nameof(EngineSshFailed);
}
