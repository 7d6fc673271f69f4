namespace NasOnnx.Core;

public enum ParamType { Int, Float, Bool, String, Choice, IntList, NameList }
