#ifndef KG_CLINEEDIT_SHIM_H
#define KG_CLINEEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#endif
