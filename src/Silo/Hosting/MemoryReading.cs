namespace Shopstream.Silo.Hosting;

/// <summary>
/// The memory, in MB, that <see cref="MemoryGovernor"/> holds against the budget. Registered in the silo's services;
/// the default reads the process's resident set (<see cref="ProcessMemory.RssMb"/>). A delegate, not a static call,
/// so that the governor's thresholds can be driven without allocating hundreds of megabytes.
/// </summary>
public delegate double MemoryReading();
