using Surveillance.Identity;
using Surveillance.Telemetry;

namespace Surveillance.Api.Telemetry;

/// <summary>Counts a login step under its outcome (<see cref="LoginOutcomes"/>), never under the account's name.</summary>
public static class LoginMetrics
{
    public static void Count(HttpContext context, LoginOutcome outcome) => context.Metrics().Login(OutcomeOf(outcome));

    public static string OutcomeOf(LoginOutcome outcome) => outcome switch
    {
        { Succeeded: true } => LoginOutcomes.Success,
        { MfaChallenge: not null } => LoginOutcomes.MfaChallenge,
        _ => outcome.Failure switch
        {
            LoginFailure.UnknownUser => LoginOutcomes.UnknownUser,
            LoginFailure.WrongPassword => LoginOutcomes.WrongPassword,
            LoginFailure.Inactive => LoginOutcomes.Inactive,
            LoginFailure.Locked => LoginOutcomes.Locked,
            LoginFailure.WrongMfaCode => LoginOutcomes.WrongMfaCode,
            LoginFailure.MfaChallengeInvalid => LoginOutcomes.MfaChallengeInvalid,
            LoginFailure.Busy => LoginOutcomes.Busy,
            _ => "other",
        },
    };
}
