using System.Text;

namespace NasOnnx.Runtime;

/// <summary>
/// Reads and edits the symbol-version requirements (the <c>.gnu.version_r</c> section) of a 64-bit
/// little-endian ELF shared library. We only need one edit: marking a required version as weak
/// (VER_FLG_WEAK), which tells glibc's loader that a library lacking that version is acceptable.
/// </summary>
public static class ElfVersionNeeds
{
    private const int SHT_GNU_verneed = 0x6ffffffe;
    private const ushort VER_FLG_WEAK = 0x2;

    /// <summary>One required version: the library that must provide it, its name, flags and the file offset of its flags field.</summary>
    public sealed record Requirement(string File, string Version, ushort Flags, long FlagsOffset)
    {
        public bool IsWeak => (Flags & VER_FLG_WEAK) != 0;
    }

    public static IReadOnlyList<Requirement> Read(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var result = new List<Requirement>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            int type = BitConverter.ToInt32(elf, (int)sh + 4);
            if (type != SHT_GNU_verneed) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int link = BitConverter.ToInt32(elf, (int)sh + 0x28);
            int count = BitConverter.ToInt32(elf, (int)sh + 0x2C); // sh_info: number of Verneed entries
            long strSh = shoff + (long)link * shentsize;
            long strOff = BitConverter.ToInt64(elf, (int)strSh + 0x18);

            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)need + 2);
                string file = CString(elf, strOff + BitConverter.ToUInt32(elf, (int)need + 4));
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    string name = CString(elf, strOff + BitConverter.ToUInt32(elf, (int)aux + 8));
                    result.Add(new Requirement(file, name, flags, aux + 4));
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>Marks the given required versions weak in place; returns how many flags changed.</summary>
    public static int MarkWeak(byte[] elf, IEnumerable<string> versions)
    {
        var wanted = versions.ToHashSet(StringComparer.Ordinal);
        int changed = 0;
        foreach (var r in Read(elf))
        {
            if (!wanted.Contains(r.Version) || r.IsWeak) continue;
            ushort flags = (ushort)(r.Flags | VER_FLG_WEAK);
            elf[r.FlagsOffset] = (byte)(flags & 0xff);
            elf[r.FlagsOffset + 1] = (byte)(flags >> 8);
            changed++;
        }
        return changed;
    }

    /// <summary>The version names a library defines (its <c>.gnu.version_d</c> entries), e.g. GLIBCXX_3.4.30.</summary>
    public static IReadOnlySet<string> Definitions(byte[] elf)
    {
        const int SHT_GNU_verdef = 0x6ffffffd;
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToInt32(elf, (int)sh + 4) != SHT_GNU_verdef) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int link = BitConverter.ToInt32(elf, (int)sh + 0x28);
            int count = BitConverter.ToInt32(elf, (int)sh + 0x2C);
            long strOff = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            long def = offset;
            for (int d = 0; d < count; d++)
            {
                long aux = def + BitConverter.ToUInt32(elf, (int)def + 12);
                names.Add(CString(elf, strOff + BitConverter.ToUInt32(elf, (int)aux)));
                uint next = BitConverter.ToUInt32(elf, (int)def + 16);
                if (next == 0) break;
                def += next;
            }
        }
        return names;
    }

    private static string CString(byte[] data, long offset)
    {
        int end = (int)offset;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)offset, end - (int)offset);
    }
}
