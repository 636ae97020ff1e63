package engine

// MaxTxActions is the most actions one transaction may hold, DynamoDB's
// limit for TransactWriteItems and TransactGetItems.
const MaxTxActions = 100

// MaxTokenLen is the longest ClientRequestToken DynamoDB accepts.
const MaxTokenLen = 36
