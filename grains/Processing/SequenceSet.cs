namespace Surveillance.Processing;

/// <summary>
/// The frame sequences of one video held by the index, as a bitmap: sequences are numbered
/// densely from 0, so a million frames cost 125 KB instead of a set of strings.
/// </summary>
internal sealed class SequenceSet
{
    private ulong[] _bits = [];

    public long MemoryBytes => 24L + (_bits.Length * 8L);

    public bool Contains(int sequence) =>
        sequence >= 0 && sequence / 64 < _bits.Length && (_bits[sequence / 64] & (1UL << (sequence % 64))) != 0;

    public void Add(int sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        if (sequence / 64 >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max((sequence / 64) + 1, _bits.Length + (_bits.Length / 4)));
        }

        _bits[sequence / 64] |= 1UL << (sequence % 64);
    }

    public void Remove(int sequence)
    {
        if (Contains(sequence))
        {
            _bits[sequence / 64] &= ~(1UL << (sequence % 64));
        }
    }
}
