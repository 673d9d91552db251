"""Pure AWS decisions as plain data: network layout, node groups, security group rules, IAM documents."""
