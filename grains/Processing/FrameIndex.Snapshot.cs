using System.Runtime.InteropServices;

namespace Surveillance.Processing;

/// <summary>
/// The index's part of a snapshot (<see cref="FrameIndexSnapshots"/> adds the header and the MAC):
/// its classes, the int8 caption rows the chosen videos reference, and those videos' frames as the
/// scan holds them. Read back without the captions' text, their seals or any embedding.
/// </summary>
public sealed partial class FrameIndex
{
    /// <summary>A frame in a snapshot: sequence, time, caption ordinal, class set.</summary>
    private const int FrameBytes = sizeof(int) + sizeof(double) + sizeof(int) + sizeof(int);

    /// <summary>Writes the frames of <paramref name="videos"/> (each with the fingerprint it is checked against) and what they reference.</summary>
    internal void WriteSnapshot(BinaryWriter writer, IReadOnlyDictionary<string, VideoFingerprint> videos)
    {
        var classKeys = _classVectors.Keys.ToList();
        var classOrdinals = classKeys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, StringComparer.Ordinal);
        writer.Write(classKeys.Count);
        foreach (var key in classKeys)
        {
            writer.Write(key);
            writer.Write(MemoryMarshal.AsBytes(_classVectors[key].AsSpan()));
        }

        writer.Write(_classSets.Count);
        foreach (var set in _classSets)
        {
            writer.Write(set.Length);
            foreach (var key in set)
            {
                writer.Write(classOrdinals[key]);
            }
        }

        var byVideo = new Dictionary<int, List<int>>();
        for (var i = 0; i < _frames.Count; i++)
        {
            var video = _frames[i].Video;
            if (videos.ContainsKey(_videoIds[video]!))
            {
                (byVideo.TryGetValue(video, out var slots) ? slots : byVideo[video] = []).Add(i);
            }
        }

        var captionOrdinals = new Dictionary<int, int>();
        foreach (var slot in byVideo.Values.SelectMany(s => s))
        {
            captionOrdinals.TryAdd(_frames[slot].CaptionRow, captionOrdinals.Count);
        }

        writer.Write(captionOrdinals.Count);
        foreach (var row in captionOrdinals.OrderBy(p => p.Value).Select(p => p.Key))
        {
            _captions.WriteRow(writer, row);
        }

        writer.Write(byVideo.Count);
        foreach (var (video, slots) in byVideo)
        {
            var videoId = _videoIds[video]!;
            writer.Write(videoId);
            writer.Write(videos[videoId].SealXor);
            writer.Write(slots.Count);
            foreach (var slot in slots)
            {
                var frame = _frames[slot];
                writer.Write(frame.Sequence);
                writer.Write(frame.Timestamp);
                writer.Write(captionOrdinals[frame.CaptionRow]);
                writer.Write(frame.ClassSet);
            }
        }
    }

    /// <summary>
    /// Reads what <see cref="WriteSnapshot"/> wrote from an authenticated buffer, taking in only the
    /// videos <paramref name="take"/> accepts; returns the fingerprints of those taken. Throws
    /// <see cref="InvalidDataException"/> (or <see cref="EndOfStreamException"/>) on a malformed body.
    /// </summary>
    internal Dictionary<string, VideoFingerprint> ReadSnapshot(BinaryReader reader, byte[] buffer, Func<string, VideoFingerprint, bool> take)
    {
        var classKeys = new string[CheckedCount(reader, 4 * dimensions)];
        for (var i = 0; i < classKeys.Length; i++)
        {
            classKeys[i] = reader.ReadString();
            var vector = MemoryMarshal.Cast<byte, float>(reader.ReadBytes(4 * dimensions)).ToArray();
            AddClass(classKeys[i], vector);
        }

        var classSets = new int[CheckedCount(reader, 4)];
        for (var s = 0; s < classSets.Length; s++)
        {
            var set = new string[CheckedCount(reader, 4)];
            for (var k = 0; k < set.Length; k++)
            {
                var ordinal = reader.ReadInt32();
                set[k] = (uint)ordinal < (uint)classKeys.Length ? classKeys[ordinal] : throw new InvalidDataException("A class set names no class.");
            }

            classSets[s] = ClassSetId(set);
        }

        var rowBytes = 32 + 4 + dimensions;
        var captionOffsets = new long[CheckedCount(reader, rowBytes)];
        for (var c = 0; c < captionOffsets.Length; c++)
        {
            captionOffsets[c] = reader.BaseStream.Position;
            reader.BaseStream.Seek(rowBytes, SeekOrigin.Current);
        }

        var captionRows = new int[captionOffsets.Length];
        Array.Fill(captionRows, -1);
        var taken = new Dictionary<string, VideoFingerprint>(StringComparer.Ordinal);
        var videos = CheckedCount(reader, 13);
        for (var v = 0; v < videos; v++)
        {
            var videoId = reader.ReadString();
            var sealXor = reader.ReadInt64();
            var frames = CheckedCount(reader, FrameBytes);
            var fingerprint = new VideoFingerprint(frames, sealXor);
            if (!take(videoId, fingerprint) || _videoSlots.ContainsKey(videoId))
            {
                reader.BaseStream.Seek((long)FrameBytes * frames, SeekOrigin.Current);
                continue;
            }

            var video = VideoSlot(videoId);
            for (var f = 0; f < frames; f++)
            {
                var (sequence, timestamp, caption, set) = (reader.ReadInt32(), reader.ReadDouble(), reader.ReadInt32(), reader.ReadInt32());
                if (sequence < 0 || (uint)caption >= (uint)captionRows.Length || (uint)set >= (uint)classSets.Length
                    || _videoSequences[video].Contains(sequence))
                {
                    throw new InvalidDataException("A frame of the snapshot does not fit its index.");
                }

                _videoSequences[video].Add(sequence);

                if (captionRows[caption] < 0)
                {
                    var offset = (int)captionOffsets[caption];
                    captionRows[caption] = _captions.AddReference(
                        buffer.AsSpan(offset, 32), BitConverter.ToSingle(buffer, offset + 32), MemoryMarshal.Cast<byte, sbyte>(buffer.AsSpan(offset + 36, dimensions)));
                }
                else
                {
                    _captions.AddReference(captionRows[caption]);
                }

                _frames.Add(new FrameSlot(video, sequence, timestamp, captionRows[caption], classSets[set]));
            }

            taken[videoId] = fingerprint;
        }

        _frames.TrimExcess();
        return taken;
    }

    /// <summary>A count that the rest of the buffer can hold (each item at least <paramref name="minimumBytes"/>): a malformed one cannot make a huge allocation.</summary>
    private static int CheckedCount(BinaryReader reader, int minimumBytes)
    {
        var count = reader.ReadInt32();
        return count >= 0 && (long)count * minimumBytes <= reader.BaseStream.Length - reader.BaseStream.Position
            ? count
            : throw new InvalidDataException("A count of the snapshot exceeds its length.");
    }
}
