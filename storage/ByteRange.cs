namespace Surveillance.Storage;

/// <summary>One HTTP byte range resolved against a plaintext length: shared by the download API and the decrypted views.</summary>
public static class ByteRange
{
    /// <summary>RFC 9110 §14.1.2: <c>a-b</c>, <c>a-</c> and the suffix form <c>-n</c>; false when unsatisfiable.</summary>
    public static bool TryResolve(long? from, long? to, long length, out long offset, out long count)
    {
        (offset, count) = (0, 0);
        if (from is { } start)
        {
            if (start >= length || (to is { } e && e < start))
            {
                return false;
            }

            var end = Math.Min(to ?? length - 1, length - 1);
            (offset, count) = (start, end - start + 1);
            return true;
        }

        if (to is { } suffix && suffix > 0 && length > 0)
        {
            count = Math.Min(suffix, length);
            offset = length - count;
            return true;
        }

        return false;
    }
}
