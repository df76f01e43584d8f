using System.Text.Json.Serialization;

namespace Surveillance.Audit;

/// <summary>The answer of <c>GET /admin/audit/verify</c>.</summary>
public sealed record AuditVerification(
    bool Valid,
    long EntriesChecked,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? FirstBrokenId);

/// <summary>
/// Walks the chain in id order. An entry is broken when its <c>prev_hash</c> is not the hash of the
/// entry before it (one was removed or rows were reordered) or its own hash does not match its
/// content and id (it was edited, or contents were swapped between rows). Deleting the newest
/// entries leaves a shorter valid chain: that is what the chain alone cannot show.
/// </summary>
public sealed class AuditVerifier(AuditReader reader, AuditChain chain)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> expectedPrevious = AuditChain.Genesis;
        long checkedCount = 0;
        long? firstBroken = null;
        await foreach (var record in reader.StreamAllAsync(cancellationToken))
        {
            checkedCount++;
            var linked = record.PrevHash.AsSpan().SequenceEqual(expectedPrevious.Span);
            if (firstBroken is null && !(linked && chain.IsValid(record.PrevHash, record.Id, record.Entry, record.Hash)))
            {
                firstBroken = record.Id;
            }

            expectedPrevious = record.Hash;
        }

        return new AuditVerification(firstBroken is null, checkedCount, firstBroken);
    }
}
