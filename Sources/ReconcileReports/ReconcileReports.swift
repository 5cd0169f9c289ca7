// Aggregation, disclosure control and signed releases land with "Council feedback".
public enum ReconcileReports {}
