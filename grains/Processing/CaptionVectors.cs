using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;

namespace Surveillance.Processing;

/// <summary>
/// One int8 vector per distinct caption, reference-counted by the frames that carry it. A caption
/// is known by the first 128 bits of its SHA-256 (the text itself stays in PostgreSQL); the other
/// 128 are kept too, to read its float32 vector from <c>caption_embeddings</c> by the full hash. Vectors
/// live in blocks of 4,096 rows, so growing never copies or doubles the whole matrix, and rows
/// freed by deleted videos are reused. Each vector is scaled so that its largest component is
/// ±127; a query is scaled to int16, and a score is one integer dot product (AVX2 <c>vpmaddwd</c>
/// where available) times the two scales.
/// </summary>
internal sealed class CaptionVectors(int dimensions)
{
    private const int RowsPerBlock = 4096;
    private const int HashBytes = 32;

    private readonly List<sbyte[]> _blocks = [];
    private readonly List<float> _scales = [];
    private readonly List<int> _references = [];
    private readonly List<UInt128> _keys = [];
    private readonly List<UInt128> _keyTails = [];
    private readonly Dictionary<UInt128, int> _rows = [];
    private readonly Stack<int> _free = new();

    /// <summary>Distinct captions held.</summary>
    public int Count => _rows.Count;

    /// <summary>Rows in use or free: the length of <see cref="Score"/>'s answer.</summary>
    public int Rows => _scales.Count;

    public long MemoryBytes =>
        ((long)_blocks.Count * RowsPerBlock * dimensions)
        + ((long)_scales.Capacity * sizeof(float))
        + ((long)_references.Capacity * sizeof(int))
        + ((long)_keys.Capacity * 16)
        + ((long)_keyTails.Capacity * 16)
        // A Dictionary entry (key, value, hash, next) and its bucket.
        + (_rows.EnsureCapacity(0) * 32L)
        + (_free.Count * 4L);

    /// <summary>SHA-256 of the caption's UTF-8: how PostgreSQL's <c>caption_embeddings</c> knows it.</summary>
    public static byte[] Sha256(string caption) => SHA256.HashData(Encoding.UTF8.GetBytes(caption));

    public bool Contains(string caption) => _rows.ContainsKey(KeyOf(Sha256(caption)));

    /// <summary>The row of the caption, with one more reference; a new caption needs its vector.</summary>
    public int AddReference(string caption, float[]? vector)
    {
        var hash = Sha256(caption);
        if (_rows.TryGetValue(KeyOf(hash), out var known))
        {
            _references[known]++;
            return known;
        }

        ArgumentNullException.ThrowIfNull(vector);
        var row = NewRow(hash);
        _scales[row] = Quantize(vector, Codes(row));
        return row;
    }

    /// <summary>
    /// The row of the caption with this SHA-256, with one more reference; a new caption takes the
    /// int8 codes and scale given (from a snapshot that <see cref="WriteRow"/> wrote).
    /// </summary>
    public int AddReference(ReadOnlySpan<byte> hash, float scale, ReadOnlySpan<sbyte> codes)
    {
        if (hash.Length != HashBytes || codes.Length != dimensions || !float.IsFinite(scale) || scale < 0)
        {
            throw new InvalidDataException("A caption row of the snapshot does not fit this index.");
        }

        if (_rows.TryGetValue(KeyOf(hash), out var known))
        {
            _references[known]++;
            return known;
        }

        var row = NewRow(hash);
        codes.CopyTo(Codes(row));
        _scales[row] = scale;
        return row;
    }

    /// <summary>One more reference to a row in use.</summary>
    public void AddReference(int row) => _references[row]++;

    /// <summary>The full SHA-256 of the caption of a row: how <c>caption_embeddings</c> knows it.</summary>
    public byte[] HashOf(int row)
    {
        var hash = new byte[HashBytes];
        MemoryMarshal.Write(hash, _keys[row]);
        MemoryMarshal.Write(hash.AsSpan(16), _keyTails[row]);
        return hash;
    }

    /// <summary>
    /// How far a row's int8 score may lie from the float32 dot product, for a query whose L1 norm
    /// and int16 scale are given: every code is within half a step (<c>scale / 2</c>) of the vector's
    /// component, every query component within half of its step, so the error is at most
    /// <c>scale/2 · |q|₁ + queryScale/2 · Σ|codes|·scale</c> (Σ|codes| ≤ 127 · dimensions), plus
    /// float rounding. A bound, not an estimate: a caption farther than this from the threshold is on
    /// the same side of it by its float32 score.
    /// </summary>
    private float ErrorBound(float scale, float queryL1, float queryScale) =>
        (scale * (queryL1 + (queryScale * sbyte.MaxValue * dimensions)) / 2) + 1e-5f;

    /// <summary>A row as a snapshot stores it: the full hash, the scale, the codes.</summary>
    public void WriteRow(BinaryWriter writer, int row)
    {
        writer.Write(HashOf(row));
        writer.Write(_scales[row]);
        writer.Write(MemoryMarshal.AsBytes(Codes(row)));
    }

    private int NewRow(ReadOnlySpan<byte> hash)
    {
        if (!_free.TryPop(out var row))
        {
            row = _scales.Count;
            _scales.Add(0);
            _references.Add(0);
            _keys.Add(default);
            _keyTails.Add(default);
            if (row / RowsPerBlock == _blocks.Count)
            {
                _blocks.Add(new sbyte[RowsPerBlock * dimensions]);
            }
        }

        var key = KeyOf(hash);
        _references[row] = 1;
        _keys[row] = key;
        _keyTails[row] = MemoryMarshal.Read<UInt128>(hash[16..]);
        _rows[key] = row;
        return row;
    }

    /// <summary>One reference fewer; a caption no frame carries any more frees its row.</summary>
    public void Release(int row)
    {
        if (--_references[row] > 0)
        {
            return;
        }

        _rows.Remove(_keys[row]);
        _scales[row] = 0;
        _free.Push(row);
    }

    /// <summary>The query as the int16 codes <see cref="Score"/> takes, with their step (<see cref="QueryScale"/>).</summary>
    public short[] QueryCodes(float[] query, out float queryScale)
    {
        queryScale = QueryScale(query);
        var scaled = new short[dimensions];
        for (var i = 0; i < dimensions && queryScale > 0; i++)
        {
            scaled[i] = (short)Math.Round(query[i] / queryScale);
        }

        return scaled;
    }

    /// <summary>
    /// The int8 cosine of the query (<see cref="QueryCodes"/>) with the rows <c>[from, to)</c>
    /// (free rows score 0), and each one's <see cref="ErrorBound"/>. Only reads the index: rows of
    /// one search may be scored on several threads at once.
    /// </summary>
    public void Score(short[] query, float queryScale, float queryL1, int from, int to, float[] scores, float[] bounds)
    {
        var scales = CollectionsMarshal.AsSpan(_scales);
        for (var row = from; row < to; row++)
        {
            scores[row] = Dot(Codes(row), query) * scales[row] * queryScale;
            bounds[row] = ErrorBound(scales[row], queryL1, queryScale);
        }
    }

    /// <summary>The step of the query's int16 codes: its largest component is ±32,767 of them.</summary>
    public static float QueryScale(float[] query)
    {
        var largest = 0f;
        foreach (var q in query)
        {
            largest = Math.Max(largest, Math.Abs(q));
        }

        return largest / short.MaxValue;
    }

    private Span<sbyte> Codes(int row) => _blocks[row / RowsPerBlock].AsSpan(row % RowsPerBlock * dimensions, dimensions);

    private static UInt128 KeyOf(ReadOnlySpan<byte> hash) => MemoryMarshal.Read<UInt128>(hash);

    /// <summary>Writes the int8 codes of a vector; returns the scale that turns them back into floats.</summary>
    private static float Quantize(float[] vector, Span<sbyte> codes)
    {
        var largest = 0f;
        foreach (var v in vector)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        var scale = largest / sbyte.MaxValue;
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = scale > 0 ? (sbyte)Math.Clamp(Math.Round(vector[i] / scale), -sbyte.MaxValue, sbyte.MaxValue) : (sbyte)0;
        }

        return scale;
    }

    private static int Dot(ReadOnlySpan<sbyte> codes, ReadOnlySpan<short> query)
    {
        var i = 0;
        var sum = 0;
        if (Avx2.IsSupported && codes.Length >= 32)
        {
            ref var c = ref MemoryMarshal.GetReference(codes);
            ref var q = ref MemoryMarshal.GetReference(query);
            var (even, odd) = (Vector256<int>.Zero, Vector256<int>.Zero);
            for (; i + 32 <= codes.Length; i += 32)
            {
                even = Avx2.Add(even, Avx2.MultiplyAddAdjacent(
                    Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref c, (nuint)i)), Vector256.LoadUnsafe(ref q, (nuint)i)));
                odd = Avx2.Add(odd, Avx2.MultiplyAddAdjacent(
                    Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref c, (nuint)(i + 16))), Vector256.LoadUnsafe(ref q, (nuint)(i + 16))));
            }

            sum = Vector256.Sum(Avx2.Add(even, odd));
        }

        for (; i < codes.Length; i++)
        {
            sum += codes[i] * query[i];
        }

        return sum;
    }
}
