using IncidentFunctions.Model;

namespace IncidentFunctions.Ingestion;

/// <summary>The alerts of one accepted request; they travel in one queue message so a request is all-or-nothing.</summary>
public sealed record AlertBatch(string Id, string Integration, DateTimeOffset ReceivedAt, IReadOnlyList<Alert> Alerts);

/// <summary>
/// The queue message: the batches of one or more requests accepted together, or the name of a blob holding one batch
/// too large for a queue message.
/// </summary>
public sealed record AlertMessage(IReadOnlyList<AlertBatch>? Batches = null, string? PayloadBlob = null);

/// <summary>A message just stored on the alerts queue, hidden, with what it takes to delete it or show it to the trigger.</summary>
public sealed record QueuedMessage(AlertMessage Message, string MessageId, string PopReceipt);
