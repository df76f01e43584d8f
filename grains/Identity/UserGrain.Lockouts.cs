namespace Surveillance.Identity;

public sealed partial class UserGrain
{
    /// <summary>
    /// Counts a lockout when the failure just recorded began one: <see cref="AccountLockout.RecordFailure"/>
    /// resets the consecutive failures exactly when it locks the account.
    /// </summary>
    private void CountLockout(AccountLockout lockout, DateTimeOffset now)
    {
        if (lockout.ConsecutiveFailures == 0 && lockout.LockedUntil > now)
        {
            metrics.AccountLockedOut();
        }
    }
}
