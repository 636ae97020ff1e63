# DynamoDB table orders, from its tablemap design.
resource "aws_dynamodb_table" "orders" {
  name           = "orders"
  billing_mode   = "PROVISIONED"
  hash_key       = "PK"
  range_key      = "SK"
  read_capacity  = 5
  write_capacity = 3

  attribute {
    name = "PK"
    type = "S"
  }

  attribute {
    name = "SK"
    type = "S"
  }

  attribute {
    name = "total"
    type = "N"
  }

  attribute {
    name = "GSI1PK"
    type = "S"
  }

  global_secondary_index {
    name               = "GSI1"
    hash_key           = "GSI1PK"
    projection_type    = "INCLUDE"
    non_key_attributes = ["status", "total"]
    read_capacity      = 2
    write_capacity     = 1
  }

  local_secondary_index {
    name            = "ByTotal"
    range_key       = "total"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }
}
